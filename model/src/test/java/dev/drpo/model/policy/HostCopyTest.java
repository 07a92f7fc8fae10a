package dev.drpo.model.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class HostCopyTest {
  final HostCopy host = new HostCopy();

  @Test
  void bulkAndGenericCopiesAgreeForOwnedArraysAndViews() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray owned = Nd4j.arange(0, 20).castTo(type).reshape(4, 5);
      INDArray view = Nd4j.arange(0, 40).castTo(type).reshape(8, 5).get(NDArrayIndex.interval(4, 8), NDArrayIndex.all());
      assertThat(view.isView()).isTrue();
      double[] a = new double[6];
      double[] b = new double[6];
      host.get(owned, 7, a, 6);
      host.get(view, 7, b, 6);
      assertThat(a).containsExactly(7, 8, 9, 10, 11, 12);
      assertThat(b).containsExactly(27, 28, 29, 30, 31, 32);

      host.put(new double[] {-1, -2, -3}, owned, 2, 3);
      host.put(new double[] {-1, -2, -3}, view, 2, 3);
      assertThat(owned.getRow(0).toDoubleVector()).containsExactly(0, 1, -1, -2, -3);
      assertThat(view.getRow(0).toDoubleVector()).containsExactly(20, 21, -1, -2, -3);
    }
  }

  @Test
  void viewsFromTheBufferStartAreCopiedInRowMajorOrder() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray whole = Nd4j.arange(0, 40).castTo(type).reshape(8, 5);
      INDArray firstRows = whole.get(NDArrayIndex.interval(0, 3), NDArrayIndex.all());
      INDArray firstColumns = whole.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3));
      double[] rows = new double[15];
      double[] columns = new double[5];
      host.get(firstRows, 0, rows, 15);
      host.get(firstColumns, 2, columns, 5);
      assertThat(rows[14]).isEqualTo(14);
      assertThat(columns).containsExactly(2, 5, 6, 7, 10);

      host.put(new double[] {-1, -2}, firstRows, 4, 2);
      assertThat(whole.getRow(0).toDoubleVector()).containsExactly(0, 1, 2, 3, -1);
      assertThat(whole.getRow(1).getDouble(0)).isEqualTo(-2);
    }
  }

  @Test
  void copiesRowsIntoTheFirstColumnsOfAWiderMatrix() {
    INDArray src = Nd4j.arange(0, 6).castTo(DataType.FLOAT).reshape(2, 3);
    INDArray wide = Nd4j.ones(DataType.FLOAT, 2, 4);
    host.copyIntoColumns(src, wide, wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3)));
    assertThat(wide.toFloatMatrix()).isDeepEqualTo(new float[][] {{0, 1, 2, 1}, {3, 4, 5, 1}});
  }
}
