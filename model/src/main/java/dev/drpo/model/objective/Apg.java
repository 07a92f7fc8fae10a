package dev.drpo.model.objective;

import dev.drpo.model.learn.Batch;
import dev.drpo.model.learn.Stats;
import dev.drpo.model.policy.GaussianPolicy;

/**
 * Plain advantage policy gradient (arXiv 2602.10430 v1, section 3, the "curse of repulsion"):
 * L = -(1/N) sum_i (r_i - mean(r)) log pi(a_i|s_i). On logs dominated by bad traffic most
 * advantages are negative, and these repulsive terms push mu and sigma away without bound.
 */
public final class Apg implements Objective {

  @Override
  public String name() {
    return "APG";
  }

  @Override
  public Weights weigh(Batch batch, double[] logPi, GaussianPolicy policy) {
    double[] a = Stats.centered(batch.rewards());
    double[] c = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i] / a.length;
    }
    return Weights.unfiltered(c);
  }
}
