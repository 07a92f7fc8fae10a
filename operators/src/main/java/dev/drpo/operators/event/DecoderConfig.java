package dev.drpo.operators.event;

import java.io.Serializable;

/**
 * Validation limits of the {@link InteractionDecoder}.
 *
 * @param source name put on dead letters (e.g. the topic)
 * @param maxRecordBytes larger records are dead-lettered unread (default 64 KiB)
 * @param maxFutureMs event times further than this ahead of the wall clock are rejected (default 10 min)
 * @param userFeatureDim expected length of userFeatures when present (0: features are rejected)
 * @param rewardMin lowest accepted explicit reward (default -1e6: anything beyond is a unit error)
 * @param rewardMax highest accepted explicit reward (default 1e6)
 * @param rewards how signals become a reward
 */
public record DecoderConfig(String source, int maxRecordBytes, long maxFutureMs, int userFeatureDim,
    double rewardMin, double rewardMax, RewardFunction rewards) implements Serializable {

  public static DecoderConfig defaults(String source, int userFeatureDim) {
    return new DecoderConfig(source, 64 * 1024, 10 * 60_000L, userFeatureDim, -1e6, 1e6, RewardFunction.defaults());
  }
}
