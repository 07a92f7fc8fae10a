package dev.drpo.operators.filter;

import dev.drpo.model.filter.KeepFractionController;
import dev.drpo.model.filter.RunningQuantile;
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
 */
public record FilterConfig(RunningQuantile.Config horizon, double initialKeepFraction, double targetRatio,
    double minKeepFraction, double maxKeepFraction, Weighting weighting, double beta) implements Serializable {

  /** How an admitted sample is weighted. */
  public enum Weighting {
    DRPO,
    DRPO_EXP
  }

  public FilterConfig {
    controller(initialKeepFraction, targetRatio, minKeepFraction, maxKeepFraction);
  }

  /**
   * Horizon of 20 buckets of 1,000 samples, a tick every 320 samples (the paper's batch), the
   * paper's controller, DRPO weights.
   */
  public static FilterConfig defaults() {
    return new FilterConfig(RunningQuantile.Config.count(1_000, 20, 320), KeepFractionController.PAPER_INITIAL,
        KeepFractionController.PAPER_TARGET_RATIO, KeepFractionController.PAPER_MIN, KeepFractionController.PAPER_MAX,
        Weighting.DRPO, DrpoExp.PAPER_BETA);
  }

  public KeepFractionController newController() {
    return controller(initialKeepFraction, targetRatio, minKeepFraction, maxKeepFraction);
  }

  private static KeepFractionController controller(double initial, double lambda, double min, double max) {
    return new KeepFractionController(initial, lambda, min, max);
  }
}
