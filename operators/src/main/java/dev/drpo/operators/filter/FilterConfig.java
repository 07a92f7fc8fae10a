package dev.drpo.operators.filter;

import dev.drpo.model.filter.KeepFractionController;
import dev.drpo.model.filter.RunningQuantile;
import dev.drpo.model.filter.StateValue;
import dev.drpo.model.objective.DrpoExp;
import java.io.Serializable;

/**
 * The per-cohort hard filter's settings.
 *
 * @param horizon the running quantile's horizon, tick and warm-up
 * @param initialKeepFraction kappa a new cohort starts with (paper: 0.5)
 * @param targetRatio lambda of the variance-guided controller (paper: 0.5)
 * @param minKeepFraction lower bound of kappa (paper: 0.05)
 * @param maxKeepFraction upper bound of kappa (paper: 1)
 * @param weighting DRPO: (q - nu) / (sigma_kept + eps); DRPO_EXP: exp((q - mean_kept) / beta), which
 *     the trainer normalises over each micro-batch
 * @param beta DRPO-Exp temperature (paper: 0.05)
 * @param baseline what a sample's quality is ranked relative to: NONE, the quality itself (the paper);
 *     VALUE, quality minus a per-state estimate of the serving policy's expected quality
 *     ({@link StateValue}, fitted per cohort on every sample's user features over the horizon)
 * @param userFeatures the length of the samples' user features (events.user-feature-dim): what the
 *     value regresses on; a sample without features counts as all zeros
 */
public record FilterConfig(RunningQuantile.Config horizon, double initialKeepFraction, double targetRatio,
    double minKeepFraction, double maxKeepFraction, Weighting weighting, double beta, Baseline baseline,
    int userFeatures) implements Serializable {

  /** How an admitted sample is weighted. */
  public enum Weighting {
    DRPO,
    DRPO_EXP
  }

  /** What a sample's quality is ranked relative to. */
  public enum Baseline {
    NONE,
    VALUE
  }

  public FilterConfig {
    controller(initialKeepFraction, targetRatio, minKeepFraction, maxKeepFraction);
    if (userFeatures < 0) {
      throw new IllegalArgumentException("userFeatures must be >= 0: " + userFeatures);
    }
    if (baseline == Baseline.VALUE && horizon.unit() != RunningQuantile.Unit.COUNT) {
      throw new IllegalArgumentException("a value baseline needs a horizon counted in samples: " + horizon);
    }
  }

  /**
   * Horizon of 20 buckets of 1,000 samples, a tick every 320 samples (the paper's batch), the
   * paper's controller, DRPO weights.
   */
  public static FilterConfig defaults() {
    return new FilterConfig(RunningQuantile.Config.count(1_000, 20, 320), KeepFractionController.PAPER_INITIAL,
        KeepFractionController.PAPER_TARGET_RATIO, KeepFractionController.PAPER_MIN, KeepFractionController.PAPER_MAX,
        Weighting.DRPO, DrpoExp.PAPER_BETA, Baseline.NONE, 0);
  }

  /** The same filter ranking quality relative to this baseline, for samples of this many user features. */
  public FilterConfig withBaseline(Baseline other, int features) {
    return new FilterConfig(horizon, initialKeepFraction, targetRatio, minKeepFraction, maxKeepFraction, weighting, beta, other,
        features);
  }

  /**
   * A new per-state value: its sums fade by one tick's share of the horizon at each tick (the
   * filter solves it at every tick), so it remembers about as many samples as the quantile's
   * horizon holds.
   */
  public StateValue newValue() {
    return new StateValue(userFeatures, valueRetention());
  }

  double valueRetention() {
    return Math.max(0.5, 1 - (double) horizon.tickSamples() / (horizon.bucketSize() * horizon.buckets()));
  }

  public KeepFractionController newController() {
    return controller(initialKeepFraction, targetRatio, minKeepFraction, maxKeepFraction);
  }

  private static KeepFractionController controller(double initial, double lambda, double min, double max) {
    return new KeepFractionController(initial, lambda, min, max);
  }
}
