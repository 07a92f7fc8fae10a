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
 * Rows beyond those set hold whatever was last put there. Threads may score at once (each has its
 * own buffers for the queries and a block of the product, and the scores on the heap, n x batch);
 * setting a row while another thread scores is not safe.
 */
final class EmbeddingMatrix implements AutoCloseable {
  /** Rows per product: a thread's native product buffer holds this many rows' scores (4 MB at a batch of 64). */
  static final int BLOCK_ROWS = 16_384;
  private final int dimension;
  private final int capacity;
  private final FloatPointer rows;
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

  /** One thread's buffers, reused between its calls (native memory freed when they are collected). */
  private static final class Scratch {
    FloatPointer queries = new FloatPointer(0L);
    FloatPointer product = new FloatPointer(0L);
    float[] scores = new float[0];
  }

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
   *     reused by this thread's next call
   */
  float[] scores(float[] batch, int b, int n) {
    int m = stride(b);
    int size = Math.multiplyExact(n, m); // the caller's batches bound m; never a silent overflow
    Scratch own = scratch.get();
    if (own.queries.capacity() < (long) m * dimension) {
      own.queries.close();
      own.queries = new FloatPointer((long) m * dimension * 2);
    }
    int block = Math.min(n, BLOCK_ROWS);
    if (own.product.capacity() < (long) block * m) {
      own.product.close();
      own.product = new FloatPointer((long) BLOCK_ROWS * m);
    }
    own.queries.put(batch, 0, b * dimension);
    for (long j = (long) b * dimension; j < (long) m * dimension; j++) {
      own.queries.put(j, 0f);
    }
    if (own.scores.length < size) {
      own.scores = new float[size];
    }
    for (int from = 0; from < n; from += BLOCK_ROWS) { // the product in blocks of rows: its native buffer stays small
      int count = Math.min(BLOCK_ROWS, n - from);
      FloatPointer first = from == 0 ? rows : new FloatPointer(rows).position((long) from * dimension);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, count, m, dimension, 1f, first, dimension, own.queries, dimension, 0f,
          own.product, m);
      own.product.get(own.scores, from * m, count * m);
    }
    return own.scores;
  }

  /** Columns of the product for a batch of b queries. */
  static int stride(int b) {
    return Math.max(b, 2);
  }

  /** Frees the rows (the threads' buffers are freed when collected). */
  @Override
  public void close() {
    rows.close();
  }
}
