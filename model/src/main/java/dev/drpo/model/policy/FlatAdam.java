package dev.drpo.model.policy;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;

/**
 * One ND4J Adam updater over a whole flat parameter vector: a step is two native ops (the fused
 * Adam update, then params -= update) whatever the number of layers. Keeps the first and second
 * moments (one flat state vector of twice the parameter count) and the step count.
 */
public final class FlatAdam {
  private final INDArray state;
  private final AdamUpdater updater;
  private final long length;
  private int iteration;

  public FlatAdam(double learningRate, long length, org.nd4j.linalg.api.buffer.DataType dataType) {
    this.length = length;
    this.state = Nd4j.zeros(dataType, 1, 2 * length);
    this.updater = new AdamUpdater(new Adam(learningRate));
    updater.setStateViewArray(state, new long[] {1, length}, 'c', true);
  }

  /** params -= Adam(grads); grads is overwritten with the applied update. */
  public void step(INDArray params, INDArray grads) {
    updater.applyUpdater(grads.reshape(1, length), iteration, 0);
    params.subi(grads);
    iteration++;
  }

  /** Moments (m then v), as one flat vector; a live view. */
  public INDArray state() {
    return state;
  }

  public int iteration() {
    return iteration;
  }

  public void setIteration(int iteration) {
    this.iteration = iteration;
  }
}
