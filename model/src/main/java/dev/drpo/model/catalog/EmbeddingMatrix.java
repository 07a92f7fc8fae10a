package dev.drpo.model.catalog;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import org.bytedeco.javacpp.FloatPointer;

/**
 * The catalog's unit embeddings as one row-major matrix in native memory, for exact search: the
 * scores of a batch of queries with the first n rows are one OpenBLAS {@code sgemm}, called
 * directly (ND4J adds 25-70 us per view it creates, more than a tenth of the product at 5,000 x
 * 128). The product reads every row once whatever the batch, so 2 to 8 queries take about as long
 * as one (a single query is padded with a zero row: OpenBLAS is slower for one than for two).
 * Rows beyond those set hold whatever was last put there. Not thread-safe.
 */
final class EmbeddingMatrix implements AutoCloseable {
  private final int dimension;
  private final int capacity;
  private final FloatPointer rows;
  private FloatPointer queries = new FloatPointer(0L);
  private FloatPointer product = new FloatPointer(0L);
  private float[] scores = new float[0];

  EmbeddingMatrix(int capacity, int dimension) {
    this.capacity = capacity;
    this.dimension = dimension;
    rows = new FloatPointer((long) capacity * dimension);
  }

  int capacity() {
    return capacity;
  }

  /** Row i := the embedding. */
  void set(int i, float[] embedding) {
    rows.position((long) i * dimension).put(embedding, 0, dimension).position(0);
  }

  /**
   * Scores of {@code b} queries (row-major in {@code batch}) with rows 0..n-1.
   *
   * @return [n, max(b, 2)] row-major: the score of row i with query r at {@code i * stride(b) + r};
   *     reused by the next call
   */
  float[] scores(float[] batch, int b, int n) {
    int m = stride(b);
    if (queries.capacity() < (long) m * dimension) {
      queries.close();
      queries = new FloatPointer((long) m * dimension * 2);
    }
    if (product.capacity() < (long) n * m) {
      product.close();
      product = new FloatPointer((long) capacity * m * 2);
    }
    queries.put(batch, 0, b * dimension);
    for (long j = (long) b * dimension; j < (long) m * dimension; j++) {
      queries.put(j, 0f);
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, m, dimension, 1f, rows, dimension, queries, dimension, 0f,
        product, m);
    if (scores.length < n * m) {
      scores = new float[n * m];
    }
    product.get(scores, 0, n * m);
    return scores;
  }

  /** Columns of the product for a batch of b queries. */
  static int stride(int b) {
    return Math.max(b, 2);
  }

  @Override
  public void close() {
    rows.close();
    queries.close();
    product.close();
  }
}
