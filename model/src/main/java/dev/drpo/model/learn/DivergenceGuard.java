package dev.drpo.model.learn;

/**
 * Bounds a training step must stay inside, and the count of steps that did not. A step is
 * rejected when the parameters are NaN/Inf or the root-mean-square norm of mu on the batch exceeds
 * {@code maxMeanNorm} (the parameters are at fault: they are rolled back), or when the policy's
 * output on the batch, its loss or its gradient is NaN/Inf, or |loss| exceeds {@code maxLoss}
 * (the step is skipped). Defaults: actions are unit item embeddings, so a mean of norm 100 is two
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

  /** Why the current parameters are unfit, or null: the caller rolls them back. */
  String checkParameters(double parameterNormSquared, double meanNorm) {
    if (!Double.isFinite(parameterNormSquared)) {
      return "non-finite parameters";
    }
    return meanNorm > maxMeanNorm ? "output intensity " + meanNorm + " > " + maxMeanNorm : null;
  }

  /** Why the batch is unfit although the parameters are finite (bad input), or null. */
  String checkForward(double meanNorm, double meanLogSigma) {
    return Double.isFinite(meanNorm) && Double.isFinite(meanLogSigma) ? null : "non-finite policy output (bad input)";
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
