package dev.drpo.model.policy;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products for the training hot path. On the CPU backend, dense row-major float/double
 * arrays go straight to the OpenBLAS that nd4j-native bundles ({@link CpuGemm}): ND4J's own
 * {@code Nd4j.gemm} adds about 40 us of dispatch per call, which is a quarter of a 320 x 128 x 128
 * product here. Anything else (another backend, other layouts) takes {@code Nd4j.gemm}.
 */
public final class Blas {
  private static final boolean CPU =
      Nd4j.getBackend().getClass().getName().equals("org.nd4j.linalg.cpu.nativecpu.CpuBackend");

  private Blas() {}

  /** True on nd4j-native, where arrays live in host memory. */
  public static boolean isCpu() {
    return CPU;
  }

  /** The backend ND4J picked from the classpath, e.g. "CPU (nd4j-native)". */
  public static String backend() {
    return CPU ? "CPU (nd4j-native, OpenBLAS)" : Nd4j.getBackend().getClass().getSimpleName();
  }

  /** c = alpha * op(a) * op(b) + beta * c, for 2-D arrays. */
  public static void gemm(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB,
      double alpha, double beta) {
    if (CPU && dense(a) && dense(b) && dense(c) && a.dataType() == c.dataType() && b.dataType() == c.dataType()) {
      CpuGemm.gemm(a, b, c, transposeA, transposeB, alpha, beta);
    } else {
      Nd4j.gemm(a, b, c, transposeA, transposeB, alpha, beta);
    }
  }

  /** Row-major with unit column stride; rows may be further apart than their length (a column range). */
  private static boolean dense(INDArray x) {
    return x.rank() == 2 && x.ordering() == 'c' && x.stride(1) == 1 && x.stride(0) >= x.size(1)
        && (x.dataType() == DataType.FLOAT || x.dataType() == DataType.DOUBLE);
  }
}
