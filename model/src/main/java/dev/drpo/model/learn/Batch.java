package dev.drpo.model.learn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A micro-batch of logged samples (s, a, r): states [n, stateDim], actions [n, d] (the logged
 * items' embeddings) and rewards (the sample's quality; session quality in the streaming job).
 */
public record Batch(INDArray states, INDArray actions, double[] rewards) {

  public Batch {
    if (states.size(0) != rewards.length || actions.size(0) != rewards.length) {
      throw new IllegalArgumentException("states, actions and rewards must have one row per sample");
    }
  }

  /** Copies rows into new arrays of the given type (one bulk copy each, not element by element). */
  public static Batch of(float[][] states, float[][] actions, double[] rewards, DataType dataType) {
    return new Batch(matrix(states, dataType), matrix(actions, dataType), rewards.clone());
  }

  private static INDArray matrix(float[][] rows, DataType dataType) {
    int width = rows.length == 0 ? 0 : rows[0].length;
    float[] flat = new float[rows.length * width];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != width) {
        throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, expected " + width);
      }
      System.arraycopy(rows[i], 0, flat, i * width, width);
    }
    INDArray m = Nd4j.create(flat, new long[] {rows.length, width}, DataType.FLOAT);
    return dataType == DataType.FLOAT ? m : m.castTo(dataType);
  }

  public int size() {
    return rewards.length;
  }
}
