package dev.drpo.model.policy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Row-prefix views of work buffers, for batches smaller than the buffers were allocated for. */
final class Views {
  /** How many batch sizes keep their views: a view holds no data, only its shape. */
  static final int SIZES_KEPT = 8;

  private Views() {}

  /** The first {@code n} rows of a row-major matrix: a view over the same memory, from its start. */
  static INDArray firstRows(INDArray x, long n) {
    return x.get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
  }

  /** A map that keeps the {@link #SIZES_KEPT} sizes used last. */
  static <V> Map<Long, V> lru() {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, V> eldest) {
        return size() > SIZES_KEPT;
      }
    };
  }
}
