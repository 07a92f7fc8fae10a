package dev.drpo.model.objective;

import dev.drpo.model.learn.Batch;
import dev.drpo.model.learn.Stats;
import dev.drpo.model.policy.GaussianPolicy;

/**
 * Advantage-weighted regression (Peng et al. 2019, eq. 7, one-step bandit form): weights
 * w_i = min(exp(A_i / beta), 20) with A_i = r_i - mean(r) (the value baseline of a bandit is the
 * batch's mean reward), L = -(1/N) sum_i w_i log pi(a_i|s_i). The cap 20 is the AWR paper's.
 * Paper grid: beta in {0.05, 0.1, 1}.
 */
public final class Awr implements Objective {
  public static final double WEIGHT_CAP = 20.0;

  private final double beta;

  public Awr(double beta) {
    this.beta = beta;
  }

  @Override
  public String name() {
    return "AWR";
  }

  @Override
  public Weights weigh(Batch batch, double[] logPi, GaussianPolicy policy) {
    double[] a = Stats.centered(batch.rewards());
    double[] c = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      c[i] = Math.min(Math.exp(a[i] / beta), WEIGHT_CAP) / a.length;
    }
    return Weights.unfiltered(c);
  }
}
