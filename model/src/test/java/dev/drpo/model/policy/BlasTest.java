package dev.drpo.model.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class BlasTest {

  @Test
  void gemmOnParameterViewsMatchesNd4jForEveryTransposeAndLeavesTheRestOfTheBufferAlone() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      for (boolean ta : new boolean[] {false, true}) {
        for (boolean tb : new boolean[] {false, true}) {
          Nd4j.getRandom().setSeed(7);
          INDArray flat = Nd4j.rand(type, 200);
          INDArray a = Mlp.matrixView(flat, 3, ta ? 5 : 4, ta ? 4 : 5);
          INDArray b = Mlp.matrixView(flat, 40, tb ? 6 : 5, tb ? 5 : 6);
          INDArray out = Nd4j.zeros(type, 300);
          INDArray c = Mlp.matrixView(out, 17, 4, 6);
          c.assign(1.0);
          INDArray expected = Nd4j.ones(type, 4, 6);
          Nd4j.gemm(a.dup(), b.dup(), expected, ta, tb, 0.5, 2.0);

          Blas.gemm(a, b, c, ta, tb, 0.5, 2.0);

          double tolerance = type == DataType.FLOAT ? 1e-5 : 1e-12;
          assertThat(c.equalsWithEps(expected, tolerance)).as("%s ta=%s tb=%s", type, ta, tb).isTrue();
          assertThat(out.get(NDArrayIndex.interval(0, 17)).sumNumber().doubleValue()).isZero();
          assertThat(out.get(NDArrayIndex.interval(41, 300)).sumNumber().doubleValue()).isZero();
        }
      }
    }
  }

  @Test
  void gemmOnColumnRangesOfWiderMatricesMatchesNd4j() {
    Nd4j.getRandom().setSeed(8);
    INDArray wideA = Nd4j.rand(DataType.FLOAT, 6, 9);
    INDArray wideB = Nd4j.rand(DataType.FLOAT, 6, 5);
    INDArray wideC = Nd4j.zeros(DataType.FLOAT, 9, 7);
    INDArray a = wideA.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 8));
    INDArray b = wideB.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4));
    INDArray c = wideC.get(NDArrayIndex.interval(0, 8), NDArrayIndex.interval(0, 4));
    INDArray expected = Nd4j.gemm(a.dup(), b.dup(), true, false);

    Blas.gemm(a, b, c, true, false, 1.0, 0.0);

    assertThat(c.equalsWithEps(expected, 1e-5)).isTrue();
    assertThat(wideC.get(NDArrayIndex.all(), NDArrayIndex.interval(4, 7)).sumNumber().doubleValue()).isZero();
    assertThat(wideC.getRow(8).sumNumber().doubleValue()).isZero();
  }
}
