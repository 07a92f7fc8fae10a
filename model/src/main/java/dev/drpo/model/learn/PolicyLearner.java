package dev.drpo.model.learn;

import dev.drpo.model.objective.Objective;
import dev.drpo.model.objective.Weights;
import dev.drpo.model.policy.GaussianPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Takes gradient steps on a {@link GaussianPolicy} with an {@link Objective}, behind a
 * {@link DivergenceGuard}. Keeps a copy of the last good parameters and optimiser state: the
 * parameters whose forward pass on a real batch last passed the guard. A step that fails the guard
 * is not applied, and if the current parameters themselves fail (a poisoned earlier update: NaN, or
 * an exploding output intensity), they are rolled back to the last good copy. The parameters of the
 * last applied step are checked only by the next step, or by {@link #verify}: verify, then publish
 * {@link #lastGood()}.
 */
public final class PolicyLearner {
  private final GaussianPolicy policy;
  private final Objective objective;
  private final DivergenceGuard guard;
  private final GaussianPolicy lastGood;
  /** The policy holds an applied step that no check has passed yet (lastGood is one step behind). */
  private boolean unverified;

  public PolicyLearner(GaussianPolicy policy, Objective objective, DivergenceGuard guard) {
    this.policy = policy;
    this.objective = objective;
    this.guard = guard;
    this.lastGood = GaussianPolicy.copyOf(policy);
  }

  public GaussianPolicy policy() {
    return policy;
  }

  public Objective objective() {
    return objective;
  }

  public DivergenceGuard guard() {
    return guard;
  }

  /** The parameters (and optimiser state) that last passed the guard. */
  public GaussianPolicy lastGood() {
    return lastGood;
  }

  public StepResult step(Batch batch) {
    double[] logPi = policy.evaluate(batch.states(), batch.actions());
    double meanNorm = policy.lastMeanNorm();
    double meanLogSigma = policy.lastMeanLogSigma();
    String unfit = unfitParameters(meanNorm);
    if (unfit != null) {
      return reject(unfit, rollBack(), Double.NaN, Double.NaN, meanNorm, meanLogSigma, null);
    }
    unfit = guard.checkForward(meanNorm, meanLogSigma);
    if (unfit != null) {
      return reject(unfit, false, Double.NaN, Double.NaN, meanNorm, meanLogSigma, null);
    }
    lastGood.copyFrom(policy);
    unverified = false;
    Weights w = objective.weigh(batch, logPi, policy);
    double[] c = w.coefficients();
    double loss = 0;
    for (int i = 0; i < c.length; i++) {
      if (c[i] != 0) {
        loss -= c[i] * logPi[i];
      }
    }
    policy.backward(c);
    INDArray grads = policy.grads();
    double gradientNormSquared = Nd4j.getBlasWrapper().dot(grads, grads);
    unfit = guard.checkStep(loss, gradientNormSquared);
    if (unfit != null) {
      return reject(unfit, false, loss, Math.sqrt(gradientNormSquared), meanNorm, meanLogSigma, w);
    }
    policy.applyGradient();
    unverified = true;
    return new StepResult(true, null, false, loss, Math.sqrt(gradientNormSquared), meanNorm, meanLogSigma,
        w.admitted(), w.keepFraction(), w.threshold());
  }

  /**
   * Checks the parameters of the last applied step on a batch, as the next step would: if they
   * pass they become the last good ones; if they fail (non-finite, or an exploding output
   * intensity) they are rolled back (the step is undone and counted as rejected). A batch on which
   * finite parameters give a non-finite output is bad input, as {@link #step} judges it: it proves
   * nothing about the parameters, which stay applied and unchecked.
   *
   * @return why they failed, or null (also when there is no unchecked step, or the batch is bad input)
   */
  public String verify(Batch batch) {
    if (!unverified) {
      return null;
    }
    policy.evaluate(batch.states(), batch.actions());
    String unfit = unfitParameters(policy.lastMeanNorm());
    if (unfit != null) {
      rollBack();
      guard.reject();
      return unfit;
    }
    if (guard.checkForward(policy.lastMeanNorm(), policy.lastMeanLogSigma()) != null) {
      return null;
    }
    lastGood.copyFrom(policy);
    unverified = false;
    return null;
  }

  private String unfitParameters(double meanNorm) {
    INDArray params = policy.params();
    return guard.checkParameters(Nd4j.getBlasWrapper().dot(params, params), meanNorm);
  }

  /** Back to the last good parameters; true if that undid an applied step. */
  private boolean rollBack() {
    policy.copyFrom(lastGood);
    boolean undone = unverified;
    unverified = false;
    return undone;
  }

  private StepResult reject(String reason, boolean undone, double loss, double gradientNorm, double meanNorm,
      double meanLogSigma, Weights w) {
    guard.reject();
    return new StepResult(false, reason, undone, loss, gradientNorm, meanNorm, meanLogSigma,
        w == null ? 0 : w.admitted(), w == null ? Double.NaN : w.keepFraction(), w == null ? Double.NaN : w.threshold());
  }
}
