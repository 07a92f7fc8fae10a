package dev.drpo.model.catalog;

import dev.drpo.model.policy.Blas;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The items a policy can recommend: id -> embedding, stored normalised to unit length, with exact
 * top-k retrieval for a batch of query vectors (the decoded means mu(s)). Scores are the inner
 * product with the unit embedding ({@link Similarity#INNER_PRODUCT}) or that divided by the
 * query's norm ({@link Similarity#COSINE}); both rank alike. Ties go to the lower catalog index.
 */
public final class ItemCatalog {

  /** How a query and an item are scored. */
  public enum Similarity {
    COSINE,
    INNER_PRODUCT
  }

  /** Top-k items of one query, best first. */
  public record Ranking(int[] indices, String[] ids, float[] scores) {}

  private final String[] ids;
  private final Map<String, Integer> index = new HashMap<>();
  private final float[][] vectors;
  private final INDArray matrix;

  /** @param embeddings one row per item, any non-zero length d (normalised here) */
  public ItemCatalog(List<String> ids, float[][] embeddings) {
    if (ids.size() != embeddings.length || ids.isEmpty()) {
      throw new IllegalArgumentException("need one embedding per item id, and at least one item");
    }
    this.ids = ids.toArray(String[]::new);
    int d = embeddings[0].length;
    vectors = new float[embeddings.length][];
    for (int i = 0; i < embeddings.length; i++) {
      if (embeddings[i].length != d) {
        throw new IllegalArgumentException("item " + ids.get(i) + " has dimension " + embeddings[i].length + ", expected " + d);
      }
      if (index.put(this.ids[i], i) != null) {
        throw new IllegalArgumentException("duplicate item id " + ids.get(i));
      }
      vectors[i] = unit(embeddings[i], ids.get(i));
    }
    matrix = Nd4j.create(vectors);
  }

  private static float[] unit(float[] v, String id) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    norm = Math.sqrt(norm);
    if (!(norm > 0) || !Double.isFinite(norm)) {
      throw new IllegalArgumentException("item " + id + " has a zero or non-finite embedding");
    }
    float[] u = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      u[i] = (float) (v[i] / norm);
    }
    return u;
  }

  public int size() {
    return ids.length;
  }

  public int dimension() {
    return vectors[0].length;
  }

  public String id(int i) {
    return ids[i];
  }

  /** Catalog index of an item id, or -1. */
  public int indexOf(String id) {
    Integer i = index.get(id);
    return i == null ? -1 : i;
  }

  /** The unit embedding of item i (do not modify). */
  public float[] embedding(int i) {
    return vectors[i];
  }

  /** Unit embeddings [size, d] as one float matrix. */
  public INDArray matrix() {
    return matrix;
  }

  /**
   * Exact top-k for each row of {@code queries} [b, d].
   *
   * @param exclude per query, item ids that must not be returned (e.g. just seen); may be empty
   */
  public Ranking[] topK(INDArray queries, int k, List<Set<String>> exclude, Similarity similarity) {
    int b = (int) queries.size(0);
    if (!exclude.isEmpty() && exclude.size() != b) {
      throw new IllegalArgumentException("need one exclusion set per query");
    }
    INDArray q = queries.castTo(DataType.FLOAT);
    INDArray scores = Nd4j.create(DataType.FLOAT, b, ids.length);
    Blas.gemm(q, matrix, scores, false, true, 1.0, 0.0);
    float[] all = scores.data().asFloat();
    double[] norms = similarity == Similarity.COSINE ? q.norm2(1).toDoubleVector() : null;
    Ranking[] out = new Ranking[b];
    for (int r = 0; r < b; r++) {
      BitSet skip = new BitSet(ids.length);
      for (String id : exclude.isEmpty() ? Set.<String>of() : exclude.get(r)) {
        int i = indexOf(id);
        if (i >= 0) {
          skip.set(i);
        }
      }
      float scale = norms != null && norms[r] > 0 ? (float) (1 / norms[r]) : 1f;
      out[r] = best(all, r * ids.length, k, skip, scale);
    }
    return out;
  }

  private Ranking best(float[] all, int offset, int k, BitSet skip, float scale) {
    // min-heap of the k best so far: worst score first, and among equal scores the higher index first
    PriorityQueue<Integer> heap = new PriorityQueue<>(
        (x, y) -> all[offset + x] != all[offset + y] ? Float.compare(all[offset + x], all[offset + y]) : Integer.compare(y, x));
    for (int i = 0; i < ids.length; i++) {
      if (skip.get(i)) {
        continue;
      }
      if (heap.size() < k) {
        heap.add(i);
      } else if (heap.comparator().compare(i, heap.peek()) > 0) {
        heap.poll();
        heap.add(i);
      }
    }
    int n = heap.size();
    int[] indices = new int[n];
    for (int j = n - 1; j >= 0; j--) {
      indices[j] = heap.poll();
    }
    String[] bestIds = new String[n];
    float[] bestScores = new float[n];
    for (int j = 0; j < n; j++) {
      bestIds[j] = ids[indices[j]];
      bestScores[j] = all[offset + indices[j]] * scale;
    }
    return new Ranking(indices, bestIds, bestScores);
  }

  @Override
  public String toString() {
    return "ItemCatalog[" + ids.length + " items, d=" + dimension() + ", first=" + Arrays.toString(Arrays.copyOf(ids, Math.min(3, ids.length))) + "]";
  }
}
