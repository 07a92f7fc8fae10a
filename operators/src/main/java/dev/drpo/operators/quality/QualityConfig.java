package dev.drpo.operators.quality;

import java.io.Serializable;

/**
 * What a training sample's quality is, and when it is final.
 *
 * @param aggregate how the rewards in a step's look-ahead become its quality with granularity
 *     SESSION (default MEAN)
 * @param discount gamma for DISCOUNTED_SUM: sum_k gamma^k r_{t+k} (default 0.9)
 * @param granularity INTERACTION: a step's quality is its own reward, final at once (default);
 *     SESSION: the aggregate of the step's and its session's later rewards within the horizon
 * @param horizonMs SESSION: the look-ahead in event time; a step's quality is final when the
 *     watermark passes its time + horizon, when the look-ahead holds horizonSteps steps, or when
 *     its session ends, whichever comes first (default 1 min)
 * @param horizonSteps SESSION: the most steps a quality aggregates, the step itself included (default 20)
 * @param historyLength L: how many earlier steps of the session each sample carries for its state
 */
public record QualityConfig(Aggregate aggregate, double discount, Granularity granularity, long horizonMs, int horizonSteps,
    int historyLength) implements Serializable {

  /** Quality from the rewards of a step's look-ahead. */
  public enum Aggregate {
    MEAN,
    SUM,
    MAX,
    DISCOUNTED_SUM
  }

  /** What a sample's quality is made of. */
  public enum Granularity {
    SESSION,
    INTERACTION
  }

  public QualityConfig {
    if (!(discount > 0 && discount <= 1) || horizonMs < 0 || horizonSteps < 1 || historyLength < 0) {
      throw new IllegalArgumentException("need 0 < discount <= 1, horizonMs >= 0, horizonSteps >= 1 and historyLength >= 0: " + this);
    }
  }

  public static QualityConfig defaults() {
    return new QualityConfig(Aggregate.MEAN, 0.9, Granularity.INTERACTION, 60_000, 20, 10);
  }

  /** The same with another granularity. */
  public QualityConfig withGranularity(Granularity g) {
    return new QualityConfig(aggregate, discount, g, horizonMs, horizonSteps, historyLength);
  }

  /** The quality of {@code n} consecutive rewards starting at {@code from}: the configured aggregate. */
  public double aggregate(double[] rewards, int from, int n) {
    double sum = 0;
    double max = Double.NEGATIVE_INFINITY;
    double discounted = 0;
    double weight = 1;
    for (int i = from; i < from + n; i++) {
      sum += rewards[i];
      max = Math.max(max, rewards[i]);
      discounted += weight * rewards[i];
      weight *= discount;
    }
    return switch (aggregate) {
      case MEAN -> sum / n;
      case SUM -> sum;
      case MAX -> max;
      case DISCOUNTED_SUM -> discounted;
    };
  }
}
