package dev.drpo.model.learn;

/**
 * Bounds a training step must stay inside, and the count of steps that did not. A step is
 * rejected when its loss or gradient is NaN/Inf, |loss| exceeds {@code maxLoss}, or the policy's
 * output intensity on the batch is non-finite or its root-mean-square norm of mu exceeds
 * {@code maxMeanNorm}. Defaults: actions are unit item embeddings, so a mean of norm 100 is two
 * orders of magnitude past any item; a loss of 1e6 is far beyond a Gaussian log-likelihood with
 * sigma >= e^-5 on unit-scale actions.
 */
public final class DivergenceGuard {
  public static final double DEFAULT_MAX_MEAN_NORM = 100.0;
  public static final double DEFAULT_MAX_LOSS = 1e6;

  private final double maxMeanNorm;
  private final double maxLoss;
  private long rejected;

  public DivergenceGuard(double maxMeanNorm, double maxLoss) {
    this.maxMeanNorm = maxMeanNorm;
    this.maxLoss = maxLoss;
  }

  public static DivergenceGuard defaults() {
    return new DivergenceGuard(DEFAULT_MAX_MEAN_NORM, DEFAULT_MAX_LOSS);
  }

  /** For research runs that must show a collapse rather than stop it (e.g. APG's repulsion curves). */
  public static DivergenceGuard finiteOnly() {
    return new DivergenceGuard(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
  }

  /** Why the forward pass (current parameters) is unfit, or null if it is fine. */
  String checkForward(double meanNorm, double meanLogSigma) {
    if (!Double.isFinite(meanNorm) || !Double.isFinite(meanLogSigma)) {
      return "non-finite policy output";
    }
    return meanNorm > maxMeanNorm ? "output intensity " + meanNorm + " > " + maxMeanNorm : null;
  }

  /** Why the step's loss or gradient is unfit, or null if it is fine. */
  String checkStep(double loss, double gradientNormSquared) {
    if (!Double.isFinite(loss)) {
      return "non-finite loss";
    }
    if (!Double.isFinite(gradientNormSquared)) {
      return "non-finite gradient";
    }
    return Math.abs(loss) > maxLoss ? "loss " + loss + " beyond " + maxLoss : null;
  }

  void reject() {
    rejected++;
  }

  public long rejected() {
    return rejected;
  }
}
