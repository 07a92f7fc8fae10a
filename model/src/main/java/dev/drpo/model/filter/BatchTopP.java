package dev.drpo.model.filter;

import dev.drpo.model.learn.Stats;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

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

  @Override
  public Admission admit(double[] quality) {
    int n = quality.length;
    double p = controller.keepFraction();
    if (n == 0) {
      return Admission.none(p);
    }
    int k = keepCount(n, p);
    int[] kept = IntStream.range(0, n).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> -quality[i]).thenComparingInt(i -> i))
        .limit(k).mapToInt(Integer::intValue).sorted().toArray();
    double[] keptQuality = Stats.select(quality, kept);
    double keptStd = Stats.std(keptQuality);
    controller.update(keptStd, Stats.std(quality));
    return new Admission(kept, Arrays.stream(keptQuality).min().orElseThrow(), Stats.mean(keptQuality), keptStd, p);
  }
}
