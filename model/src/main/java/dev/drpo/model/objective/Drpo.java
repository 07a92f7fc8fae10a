package dev.drpo.model.objective;

import dev.drpo.model.filter.Admission;
import dev.drpo.model.filter.HardFilter;
import dev.drpo.model.learn.Batch;
import dev.drpo.model.policy.GaussianPolicy;

/**
 * DRPO (arXiv 2602.10430 v1, Algorithm 1; objective J(theta) = (1/kappa) E[(R - nu*)_+ log pi], Thm 4.1):
 * a hard filter admits the top share of the batch; each admitted sample j gets the non-negative
 * advantage A_j = r_j - nu normalised by the admitted spread, A~_j = A_j / (std(A) + eps), and
 * L = -(1/K) sum_j A~_j log pi(a_j|s_j). Dropped samples get exactly zero weight: no repulsion.
 * eps = 1e-6 (the paper leaves it open); when every admitted reward is equal all weights are 0.
 */
public final class Drpo implements Objective {
  public static final double EPS = 1e-6;

  private final String name;
  private final HardFilter filter;

  /** @param name "DRPO" with the per-batch filter, "DRPO-Stream" with the running quantile */
  public Drpo(String name, HardFilter filter) {
    this.name = name;
    this.filter = filter;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Weights weigh(Batch batch, double[] logPi, GaussianPolicy policy) {
    double[] r = batch.rewards();
    Admission admission = filter.admit(r);
    double[] c = new double[r.length];
    int k = admission.kept().length;
    for (int j : admission.kept()) {
      c[j] = weight(r[j], admission.threshold(), admission.keptStd()) / k;
    }
    return new Weights(c, k, admission.keepFraction(), admission.threshold());
  }

  /** The admitted sample's weight (q - nu) / (sigma_kept + eps), >= 0 for q >= nu. */
  public static double weight(double quality, double threshold, double keptStd) {
    return (quality - threshold) / (keptStd + EPS);
  }
}
