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

  public static Batch of(float[][] states, float[][] actions, double[] rewards, DataType dataType) {
    return new Batch(Nd4j.create(states).castTo(dataType), Nd4j.create(actions).castTo(dataType), rewards.clone());
  }

  public int size() {
    return rewards.length;
  }
}
