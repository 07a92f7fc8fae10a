package dev.drpo.model.filter;

import dev.drpo.model.learn.Stats;
import java.util.Arrays;

/**
 * The paper's per-batch filter (Algorithm 1, steps 1-3): keep the K = int(N * P) highest-reward
 * samples of the batch; nu is the lowest kept reward. Decisions the paper leaves open:
 * <ul>
 *   <li>ties at the K-th reward: exactly K are kept, earlier samples in the batch first;</li>
 *   <li>K &lt; 2: raised to 2 (or N if the batch is smaller), since one kept sample has no spread;</li>
 *   <li>spreads are population standard deviations.</li>
 * </ul>
 */
public final class BatchTopP implements HardFilter {
  private final KeepFractionController controller;

  public BatchTopP(KeepFractionController controller) {
    this.controller = controller;
  }

  public KeepFractionController controller() {
    return controller;
  }

  /** K for a batch of n at keep fraction p. */
  public static int keepCount(int n, double p) {
    return Math.min(n, Math.max((int) (n * p), 2));
  }

  /** Indices of the k largest values in index order; among values tied at the k-th, the earliest. */
  static int[] topK(double[] values, int k) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double kth = sorted[values.length - k];
    int above = 0;
    for (double v : values) {
      if (v > kth) {
        above++;
      }
    }
    int tiesToKeep = k - above;
    int[] kept = new int[k];
    int next = 0;
    for (int i = 0; i < values.length; i++) {
      if (values[i] > kth || (values[i] == kth && tiesToKeep-- > 0)) {
        kept[next++] = i;
      }
    }
    return kept;
  }

  @Override
  public Admission admit(double[] quality) {
    int n = quality.length;
    double p = controller.keepFraction();
    if (n == 0) {
      return Admission.none(p);
    }
    int k = keepCount(n, p);
    int[] kept = topK(quality, k);
    double[] keptQuality = Stats.select(quality, kept);
    double keptStd = Stats.std(keptQuality);
    controller.update(keptStd, Stats.std(quality));
    return new Admission(kept, Arrays.stream(keptQuality).min().orElseThrow(), Stats.mean(keptQuality), keptStd, p);
  }
}
