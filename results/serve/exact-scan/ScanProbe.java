package dev.drpo.model.catalog;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.apache.lucene.util.VectorUtil;

/** One query (and small batches) against n x 128 unit vectors: OpenBLAS (EmbeddingMatrix) against Lucene's VectorUtil on heap rows. */
public class ScanProbe {
  static float[] unit(SplittableRandom r, int d) {
    float[] v = new float[d]; double s = 0;
    for (int j = 0; j < d; j++) { v[j] = (float) r.nextGaussian(); s += v[j] * v[j]; }
    for (int j = 0; j < d; j++) v[j] /= (float) Math.sqrt(s);
    return v;
  }
  public static void main(String[] a) {
    int n = Integer.parseInt(a[0]), d = 128, iters = Integer.parseInt(a[1]);
    SplittableRandom r = new SplittableRandom(1);
    float[][] heap = new float[n][];
    EmbeddingMatrix m = new EmbeddingMatrix(n, d);
    for (int i = 0; i < n; i++) { heap[i] = unit(r, d); m.set(i, heap[i]); }
    var mx = ManagementFactory.getThreadMXBean();
    float sink = 0;
    for (int round = 0; round < 4; round++) {
      for (int b : new int[] {1, 2, 4, 8}) {
        float[] q = new float[b * d];
        for (int x = 0; x < b; x++) System.arraycopy(unit(r, d), 0, q, x * d, d);
        long c0 = mx.getCurrentThreadCpuTime();
        for (int it = 0; it < iters; it++) { float[] s = m.scores(q, b, n); sink += s[it % n]; }
        long c1 = mx.getCurrentThreadCpuTime();
        float[][] qs = new float[b][d];
        for (int x = 0; x < b; x++) System.arraycopy(q, x * d, qs[x], 0, d);
        float[] out = new float[n * b];
        for (int it = 0; it < iters; it++) {
          for (int i = 0; i < n; i++) { float[] row = heap[i]; for (int x = 0; x < b; x++) out[i * b + x] = VectorUtil.dotProduct(row, qs[x]); }
          sink += out[it % n];
        }
        long c2 = mx.getCurrentThreadCpuTime();
        if (round >= 2) System.out.printf("n=%d b=%d: openblas %.1f us/query, lucene VectorUtil %.1f us/query%n", n, b, (c1 - c0) / 1e3 / iters / b, (c2 - c1) / 1e3 / iters / b);
      }
    }
    System.out.println(sink == 42 ? "" : "done");
  }
}
