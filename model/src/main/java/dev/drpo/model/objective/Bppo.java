package dev.drpo.model.objective;

import dev.drpo.model.learn.Batch;
import dev.drpo.model.learn.Stats;
import dev.drpo.model.policy.GaussianPolicy;
import java.util.Arrays;

/**
 * Behavior proximal policy optimization (Zhuang et al. 2023, eq. 12), one-step bandit form: the
 * first {@code warmupSteps} steps are behaviour cloning (the behaviour estimate); then the clipped
 * surrogate L = -(1/N) sum_i min(rho_i A_i, clip(rho_i, 1 - eps, 1 + eps) A_i) with
 * rho_i = pi(a_i|s_i) / pi_ref(a_i|s_i) and A_i = r_i - mean(r). pi_ref starts as the cloned
 * behaviour policy and is replaced by the current policy every {@code refreshSteps} steps (BPPO's
 * monotone improvement loop). Its gradient is the weighted log-likelihood with c_i = rho_i A_i / N
 * where the unclipped term is the minimum and 0 where the clip is active.
 * Paper grid: eps in {0.1, 0.2, 0.3}.
 */
public final class Bppo implements Objective {
  private final double clip;
  private final int warmupSteps;
  private final int refreshSteps;
  private GaussianPolicy reference;
  private int step;

  public Bppo(double clip, int warmupSteps, int refreshSteps) {
    this.clip = clip;
    this.warmupSteps = warmupSteps;
    this.refreshSteps = refreshSteps;
  }

  @Override
  public String name() {
    return "BPPO";
  }

  @Override
  public Weights weigh(Batch batch, double[] logPi, GaussianPolicy policy) {
    int n = batch.size();
    int current = step++;
    if (current < warmupSteps) {
      double[] c = new double[n];
      Arrays.fill(c, 1.0 / n);
      return Weights.unfiltered(c);
    }
    if (reference == null) {
      reference = GaussianPolicy.copyOf(policy);
    } else if ((current - warmupSteps) % refreshSteps == 0) {
      reference.copyFrom(policy);
    }
    double[] logRef = reference.evaluate(batch.states(), batch.actions());
    return Weights.unfiltered(coefficients(logPi, logRef, Stats.centered(batch.rewards()), clip));
  }

  /** c_i = rho_i A_i / N where the unclipped term is the minimum, else 0. */
  static double[] coefficients(double[] logPi, double[] logRef, double[] advantage, double clip) {
    double[] c = new double[logPi.length];
    for (int i = 0; i < c.length; i++) {
      double rho = Math.exp(logPi[i] - logRef[i]);
      boolean unclipped = advantage[i] >= 0 ? rho <= 1 + clip : rho >= 1 - clip;
      c[i] = unclipped ? rho * advantage[i] / c.length : 0;
    }
    return c;
  }

  /** The clipped surrogate loss itself (eq. 12), for checking the gradient. */
  static double surrogate(double[] logPi, double[] logRef, double[] advantage, double clip) {
    double sum = 0;
    for (int i = 0; i < logPi.length; i++) {
      double rho = Math.exp(logPi[i] - logRef[i]);
      double clipped = Math.min(Math.max(rho, 1 - clip), 1 + clip);
      sum += Math.min(rho * advantage[i], clipped * advantage[i]);
    }
    return -sum / logPi.length;
  }
}
