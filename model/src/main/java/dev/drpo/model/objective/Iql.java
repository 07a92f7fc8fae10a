package dev.drpo.model.objective;

import dev.drpo.model.learn.Batch;
import dev.drpo.model.policy.Critic;
import dev.drpo.model.policy.GaussianPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Implicit Q-learning (Kostrikov et al. 2021), one-step bandit form: Q(s, a) regressed on the
 * logged reward (eq. 6 with no next state), V(s) by expectile regression on Q(s, a) (eq. 5,
 * expectile tau), and advantage-weighted extraction (eq. 7):
 * L = -(1/N) sum_i min(exp(beta (Q_i - V_i)), 100) log pi(a_i|s_i), beta = 3 (IQL's default
 * inverse temperature), cap 100 (IQL's). Paper grid: tau in {0.5, 0.7, 0.9}.
 */
public final class Iql implements Objective {
  public static final double INVERSE_TEMPERATURE = 3.0;
  public static final double WEIGHT_CAP = 100.0;

  private final double expectile;
  private final Critic q;
  private final Critic v;

  public Iql(double expectile, Critic q, Critic v) {
    this.expectile = expectile;
    this.q = q;
    this.v = v;
  }

  @Override
  public String name() {
    return "IQL";
  }

  @Override
  public Weights weigh(Batch batch, double[] logPi, GaussianPolicy policy) {
    INDArray logged = Nd4j.hstack(batch.states(), batch.actions());
    q.regress(logged, batch.rewards(), 0.5);
    double[] qLogged = q.predict(logged);
    v.regress(batch.states(), qLogged, expectile);
    double[] value = v.predict(batch.states());
    double[] c = new double[batch.size()];
    for (int i = 0; i < c.length; i++) {
      c[i] = Math.min(Math.exp(INVERSE_TEMPERATURE * (qLogged[i] - value[i])), WEIGHT_CAP) / c.length;
    }
    return Weights.unfiltered(c);
  }
}
