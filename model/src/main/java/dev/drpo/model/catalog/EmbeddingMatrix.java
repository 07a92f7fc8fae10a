package dev.drpo.model.catalog;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemv;

import org.bytedeco.javacpp.FloatPointer;

/**
 * The catalog's unit embeddings as one row-major matrix in native memory, for exact search: the
 * scores of a batch of queries with the first n rows are OpenBLAS products, called directly (ND4J
 * adds 25-70 us per view it creates, more than a tenth of the product at 5,000 x 128). Below
 * {@link #VECTOR_PRODUCTS_BELOW} queries each is one {@code sgemv}; from there the batch is one
 * {@code sgemm}, padded with zero queries to a multiple of 4. Measured at 5,000 x 128 on one core:
 * {@code sgemv} 43 us per query; {@code sgemm} 128 us for 2 queries, 215 us for 3, 181 us for 4,
 * 180 us for 8: it reads every row once whatever the batch, but OpenBLAS is slow for a few queries
 * (and slower still for three).
 * Rows beyond those set hold whatever was last put there. Threads may score at once (each has its
 * own buffers for the queries and a block of the product, and the scores on the heap, n x stride(batch));
 * setting a row while another thread scores is not safe.
 */
final class EmbeddingMatrix implements AutoCloseable {
  /** Rows per product: a thread's native product buffer holds this many rows' scores (4 MB at a batch of 64). */
  static final int BLOCK_ROWS = 16_384;
  /** Fewer queries than this are scored one {@code sgemv} each. */
  static final int VECTOR_PRODUCTS_BELOW = 4;
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
   * @return [n, stride(b)] row-major: the score of row i with query r at {@code i * stride(b) + r};
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
      if (b < VECTOR_PRODUCTS_BELOW) {
        for (int r = 0; r < b; r++) { // query r's scores into column r of the block's product
          cblas_sgemv(CblasRowMajor, CblasNoTrans, count, dimension, 1f, first, dimension,
              own.queries.position((long) r * dimension), 1, 0f, own.product.position(r), m);
        }
        own.queries.position(0);
        own.product.position(0);
      } else {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, count, m, dimension, 1f, first, dimension, own.queries, dimension,
            0f, own.product, m);
      }
      own.product.get(own.scores, from * m, count * m);
    }
    return own.scores;
  }

  /** Columns of the product for a batch of b queries. */
  static int stride(int b) {
    return b < VECTOR_PRODUCTS_BELOW ? b : (b + 3) & ~3;
  }

  /** Frees the rows (the threads' buffers are freed when collected). */
  @Override
  public void close() {
    rows.close();
  }
}
