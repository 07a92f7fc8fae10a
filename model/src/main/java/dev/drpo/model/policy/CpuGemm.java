package dev.drpo.model.policy;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Row-major cblas gemm on host memory of ND4J arrays (leading dimension = row stride); loaded only on the CPU backend. */
final class CpuGemm {
  private CpuGemm() {}

  static void gemm(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB,
      double alpha, double beta) {
    int m = (int) c.size(0);
    int n = (int) c.size(1);
    int k = (int) (transposeA ? a.size(0) : a.size(1));
    if ((transposeA ? a.size(1) : a.size(0)) != m || (transposeB ? b.size(0) : b.size(1)) != n
        || (transposeB ? b.size(1) : b.size(0)) != k) {
      throw new IllegalArgumentException("gemm shapes do not match: " + Arrays.toString(a.shape())
          + (transposeA ? "^T" : "") + " x " + Arrays.toString(b.shape()) + (transposeB ? "^T" : "")
          + " -> " + Arrays.toString(c.shape()));
    }
    int ta = transposeA ? CblasTrans : CblasNoTrans;
    int tb = transposeB ? CblasTrans : CblasNoTrans;
    int lda = (int) a.stride(0);
    int ldb = (int) b.stride(0);
    int ldc = (int) c.stride(0);
    if (c.dataType() == DataType.FLOAT) {
      cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, (float) alpha, floats(a), lda, floats(b), ldb, (float) beta, floats(c), ldc);
    } else {
      cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha, doubles(a), lda, doubles(b), ldb, beta, doubles(c), ldc);
    }
  }

  /** A view's buffer is itself offset (its address already includes data().offset()). */
  private static long position(INDArray x) {
    return x.offset() - x.data().offset();
  }

  private static FloatPointer floats(INDArray x) {
    return new FloatPointer(x.data().addressPointer()).position(position(x));
  }

  private static DoublePointer doubles(INDArray x) {
    return new DoublePointer(x.data().addressPointer()).position(position(x));
  }
}
