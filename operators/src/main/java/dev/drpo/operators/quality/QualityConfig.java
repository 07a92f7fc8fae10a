package dev.drpo.operators.quality;

import java.io.Serializable;

/**
 * How a session's quality is computed and what a training sample is.
 *
 * @param aggregate how step rewards become the session's quality (default MEAN)
 * @param discount gamma for DISCOUNTED_SUM: sum_t gamma^t r_t (default 0.9)
 * @param granularity SESSION: every step is a sample carrying the session's quality (default);
 *     INTERACTION: every step is a sample carrying its own reward
 * @param historyLength L: how many earlier steps of the session each sample carries for its state
 */
public record QualityConfig(Aggregate aggregate, double discount, Granularity granularity, int historyLength)
    implements Serializable {

  /** Session quality from step rewards. */
  public enum Aggregate {
    MEAN,
    SUM,
    MAX,
    DISCOUNTED_SUM
  }

  /** What one training sample is. */
  public enum Granularity {
    SESSION,
    INTERACTION
  }

  public QualityConfig {
    if (!(discount > 0 && discount <= 1) || historyLength < 0) {
      throw new IllegalArgumentException("need 0 < discount <= 1 and historyLength >= 0: " + this);
    }
  }

  public static QualityConfig defaults() {
    return new QualityConfig(Aggregate.MEAN, 0.9, Granularity.SESSION, 10);
  }
}
