package dev.drpo.model.objective;

import dev.drpo.model.filter.Admission;
import dev.drpo.model.filter.HardFilter;
import dev.drpo.model.learn.Batch;
import dev.drpo.model.policy.GaussianPolicy;

/**
 * Adaptive BC (arXiv 2602.10430 v1, ablation of Algorithm 1): the same hard filter and controller,
 * then plain behaviour cloning of what passes: L = -(1/K) sum_{j kept} log pi(a_j|s_j).
 */
public final class AdaptiveBc implements Objective {
  private final HardFilter filter;

  public AdaptiveBc(HardFilter filter) {
    this.filter = filter;
  }

  @Override
  public String name() {
    return "Adaptive BC";
  }

  @Override
  public Weights weigh(Batch batch, double[] logPi, GaussianPolicy policy) {
    Admission admission = filter.admit(batch.rewards());
    double[] c = new double[batch.size()];
    for (int j : admission.kept()) {
      c[j] = 1.0 / admission.kept().length;
    }
    return new Weights(c, admission.kept().length, admission.keepFraction(), admission.threshold());
  }
}
