package dev.drpo.model.policy;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Copies ranges of an ND4J array (in row-major element order) to and from Java arrays, for the
 * element-wise parts of a training step that run as plain Java loops. On the CPU backend an array
 * that owns its buffer, or a view of its first rows, is copied with one bulk memory copy (about
 * 7 us for 50k floats here); anything else (other views, other backends) goes element by element through ND4J's own getters and
 * setters, which is slow but correct everywhere. Holds reusable scratch arrays, so one instance serves one thread.
 */
final class HostCopy {
  private float[] floats = new float[0];

  /** dst[0..len) = x.flat[offset..offset+len), for float arrays. */
  void get(INDArray x, long offset, float[] dst, int len) {
    if (fast(x, DataType.FLOAT)) {
      x.data().asNioFloat().get((int) offset, dst, 0, len);
    } else {
      for (int i = 0; i < len; i++) {
        dst[i] = x.getFloat(offset + i);
      }
    }
  }

  /** x.flat[offset..offset+len) = src[0..len), for float arrays. */
  void put(float[] src, INDArray x, long offset, int len) {
    if (fast(x, DataType.FLOAT)) {
      x.data().asNioFloat().put((int) offset, src, 0, len);
    } else {
      for (int i = 0; i < len; i++) {
        x.putScalar(offset + i, src[i]);
      }
    }
  }

  /** dst[0..len) = x.flat[offset..offset+len), for arrays of any floating type. */
  void get(INDArray x, long offset, double[] dst, int len) {
    if (fast(x, DataType.DOUBLE)) {
      x.data().asNioDouble().get((int) offset, dst, 0, len);
    } else if (fast(x, DataType.FLOAT)) {
      float[] f = scratch(len);
      get(x, offset, f, len);
      for (int i = 0; i < len; i++) {
        dst[i] = f[i];
      }
    } else {
      for (int i = 0; i < len; i++) {
        dst[i] = x.getDouble(offset + i);
      }
    }
  }

  /** x.flat[offset..offset+len) = src[0..len), rounded for float arrays. */
  void put(double[] src, INDArray x, long offset, int len) {
    if (fast(x, DataType.DOUBLE)) {
      x.data().asNioDouble().put((int) offset, src, 0, len);
    } else if (fast(x, DataType.FLOAT)) {
      float[] f = scratch(len);
      for (int i = 0; i < len; i++) {
        f[i] = (float) src[i];
      }
      put(f, x, offset, len);
    } else {
      for (int i = 0; i < len; i++) {
        x.putScalar(offset + i, src[i]);
      }
    }
  }

  /**
   * Copies a matrix [n, w] into the first w columns of a wider matrix [n, w + k] of the same type,
   * row by row (one bulk copy per row) on the CPU backend; ND4J's assign on the column range
   * otherwise (which on CPU dispatches an element-wise strided copy about four times slower).
   */
  void copyIntoColumns(INDArray src, INDArray wide, INDArray columns) {
    int rows = (int) src.size(0);
    int width = (int) src.size(1);
    int stride = (int) wide.size(1);
    if (fast(src, DataType.FLOAT) && fast(wide, DataType.FLOAT)) {
      float[] f = scratch(rows * width);
      src.data().asNioFloat().get(0, f, 0, rows * width);
      FloatBuffer target = wide.data().asNioFloat();
      for (int r = 0; r < rows; r++) {
        target.put(r * stride, f, r * width, width);
      }
    } else {
      columns.assign(src);
    }
  }

  private static boolean fast(INDArray x, DataType type) {
    return Blas.isCpu() && x.ordering() == 'c' && x.dataType() == type && (!x.isView() || denseFromStart(x));
  }

  /** A view whose elements are its buffer's first ones, in row-major order (e.g. a matrix's first rows). */
  private static boolean denseFromStart(INDArray x) {
    if (x.offset() != 0) {
      return false;
    }
    long expected = 1;
    for (int i = x.rank() - 1; i >= 0; i--) {
      if (x.size(i) > 1 && x.stride(i) != expected) {
        return false;
      }
      expected *= x.size(i);
    }
    return true;
  }

  private float[] scratch(int len) {
    if (floats.length < len) {
      floats = new float[len];
    }
    return floats;
  }
}
