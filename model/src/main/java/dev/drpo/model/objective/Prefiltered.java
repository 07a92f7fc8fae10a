package dev.drpo.model.objective;

import dev.drpo.model.learn.Batch;
import dev.drpo.model.policy.GaussianPolicy;

/**
 * DRPO as the streaming job runs it: the hard filter already ran upstream, per cohort, in keyed
 * state, so every sample of the batch was admitted and its reward slot carries its non-negative
 * weight w_j. DRPO (Algorithm 1, J = (1/kappa) E[(R - nu*)_+ log pi], Thm 4.1) averages:
 * c_j = w_j / K with w_j = (q_j - nu) / (sigma_kept + eps). DRPO-Exp (section 5) normalises the
 * exponential weights w_j = exp((q_j - mean_kept) / beta) over the micro-batch: c_j = w_j / sum w.
 */
public final class Prefiltered implements Objective {

  /** How the upstream weights become the loss coefficients. */
  public enum Normalisation {
    /** c_j = w_j / K: DRPO's weights. */
    MEAN,
    /** c_j = w_j / sum w: DRPO-Exp's softmax-like weights. */
    SUM
  }

  private final Normalisation normalisation;

  public Prefiltered(Normalisation normalisation) {
    this.normalisation = normalisation;
  }

  @Override
  public String name() {
    return normalisation == Normalisation.MEAN ? "DRPO" : "DRPO-Exp";
  }

  @Override
  public Weights weigh(Batch batch, double[] logPi, GaussianPolicy policy) {
    double[] w = batch.rewards();
    double total = 0;
    for (double wj : w) {
      if (!(wj >= 0) || Double.isInfinite(wj)) {
        throw new IllegalArgumentException("an admitted sample's weight must be finite and >= 0, got " + wj);
      }
      total += wj;
    }
    double scale = normalisation == Normalisation.MEAN ? w.length : total;
    double[] c = new double[w.length];
    for (int j = 0; j < w.length && scale > 0; j++) {
      c[j] = w[j] / scale;
    }
    return new Weights(c, w.length, Double.NaN, Double.NaN);
  }
}
