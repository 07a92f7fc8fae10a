package dev.drpo.model.objective;

import dev.drpo.model.filter.Admission;
import dev.drpo.model.filter.HardFilter;
import dev.drpo.model.learn.Batch;
import dev.drpo.model.policy.GaussianPolicy;

/**
 * DRPO-Exp (arXiv 2602.10430 v1, section 5, variant of Algorithm 1): the same hard filter, then
 * exponential weights w_j = exp((r_j - nu) / beta) with nu the admitted mean, beta = 0.05.
 * The paper does not say how the weights are normalised or clipped. Here they are normalised to
 * sum to 1 over the admitted samples (a softmax of the rewards at temperature beta, computed
 * shifted by the maximum), so no clipping is needed and the loss scale matches Adaptive BC's.
 */
public final class DrpoExp implements Objective {
  public static final double PAPER_BETA = 0.05;

  private final HardFilter filter;
  private final double beta;

  public DrpoExp(HardFilter filter, double beta) {
    this.filter = filter;
    this.beta = beta;
  }

  @Override
  public String name() {
    return "DRPO-Exp";
  }

  @Override
  public Weights weigh(Batch batch, double[] logPi, GaussianPolicy policy) {
    double[] r = batch.rewards();
    Admission admission = filter.admit(r);
    double[] c = new double[r.length];
    double max = Double.NEGATIVE_INFINITY;
    for (int j : admission.kept()) {
      max = Math.max(max, r[j]);
    }
    double sum = 0;
    for (int j : admission.kept()) {
      c[j] = Math.exp((r[j] - max) / beta);
      sum += c[j];
    }
    for (int j : admission.kept()) {
      c[j] /= sum;
    }
    return new Weights(c, admission.kept().length, admission.keepFraction(), admission.threshold());
  }
}
