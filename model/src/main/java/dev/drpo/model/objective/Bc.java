package dev.drpo.model.objective;

import dev.drpo.model.learn.Batch;
import dev.drpo.model.policy.GaussianPolicy;
import java.util.Arrays;

/** Behaviour cloning: L = -(1/N) sum_i log pi(a_i|s_i), every logged sample alike. */
public final class Bc implements Objective {

  @Override
  public String name() {
    return "BC";
  }

  @Override
  public Weights weigh(Batch batch, double[] logPi, GaussianPolicy policy) {
    double[] c = new double[batch.size()];
    Arrays.fill(c, 1.0 / c.length);
    return Weights.unfiltered(c);
  }
}
