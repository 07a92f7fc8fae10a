package dev.drpo.model.filter;

/**
 * The variance-guided keep-fraction controller of DRPO's Algorithm 1 (step 2). It keeps the share
 * P (kappa) of samples the hard filter admits. When the admitted subset's reward spread is below
 * lambda times the whole batch's spread, the subset is too homogeneous to rank by: widen (P x 1.02).
 * Otherwise it is still noisy: tighten (P x 0.98). P stays in [min, max] (paper: [0.05, 1]).
 * A batch with no spread at all (sigma_batch = 0) tightens.
 */
public final class KeepFractionController {
  public static final double PAPER_INITIAL = 0.5;
  public static final double PAPER_TARGET_RATIO = 0.5;
  public static final double PAPER_MIN = 0.05;
  public static final double PAPER_MAX = 1.0;
  static final double GROW = 1.02;
  static final double SHRINK = 0.98;

  private final double targetRatio;
  private final double min;
  private final double max;
  private double keepFraction;

  public KeepFractionController(double initial, double targetRatio, double min, double max) {
    if (!(0 < min && min <= initial && initial <= max && max <= 1)) {
      throw new IllegalArgumentException("need 0 < min <= initial <= max <= 1, got min=" + min
          + " initial=" + initial + " max=" + max);
    }
    if (!(targetRatio > 0)) {
      throw new IllegalArgumentException("targetRatio (lambda) must be positive, got " + targetRatio);
    }
    this.targetRatio = targetRatio;
    this.min = min;
    this.max = max;
    this.keepFraction = initial;
  }

  /** P = 0.5, lambda = 0.5, bounds [0.05, 1]. */
  public static KeepFractionController paper() {
    return new KeepFractionController(PAPER_INITIAL, PAPER_TARGET_RATIO, PAPER_MIN, PAPER_MAX);
  }

  public double keepFraction() {
    return keepFraction;
  }

  /** Restores a keep fraction (from a snapshot), clamped to the bounds. */
  public void setKeepFraction(double p) {
    keepFraction = Math.min(max, Math.max(min, p));
  }

  /** One controller step; the new P applies from the next batch (or tick). */
  public void update(double sigmaKept, double sigmaAll) {
    if (sigmaKept < targetRatio * sigmaAll) {
      keepFraction = Math.min(max, keepFraction * GROW);
    } else {
      keepFraction = Math.max(min, keepFraction * SHRINK);
    }
  }
}
