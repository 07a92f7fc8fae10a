package dev.drpo.model.objective;

import dev.drpo.model.learn.Batch;
import dev.drpo.model.learn.Stats;
import dev.drpo.model.policy.GaussianPolicy;

/**
 * Asymmetric REINFORCE (Arnal et al. 2025, as the DRPO paper runs it): the advantage policy
 * gradient with negative advantages scaled down, c_i = A_i for A_i >= 0 and 0.1 A_i otherwise,
 * A_i = r_i - mean(r), L = -(1/N) sum_i c_i log pi(a_i|s_i). Soft re-weighting: the repulsive
 * terms shrink but remain.
 */
public final class AsymRe implements Objective {
  public static final double PAPER_NEGATIVE_WEIGHT = 0.1;

  private final double negativeWeight;

  public AsymRe(double negativeWeight) {
    this.negativeWeight = negativeWeight;
  }

  @Override
  public String name() {
    return "AsymRe";
  }

  @Override
  public Weights weigh(Batch batch, double[] logPi, GaussianPolicy policy) {
    double[] a = Stats.centered(batch.rewards());
    double[] c = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      c[i] = (a[i] >= 0 ? a[i] : negativeWeight * a[i]) / a.length;
    }
    return Weights.unfiltered(c);
  }
}
