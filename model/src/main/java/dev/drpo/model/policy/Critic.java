package dev.drpo.model.policy;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A scalar value network (Q(s, a) or V(s)) for the actor-critic baselines: an {@link Mlp} with one
 * linear output, its own {@link FlatAdam}, trained by expectile regression
 * L = (1/N) sum_i |tau - 1(u_i &lt; 0)| u_i^2 with u_i = y_i - f(x_i). tau = 0.5 is half the mean
 * squared error (Adam is invariant to the factor).
 */
public final class Critic {
  private final Mlp network;
  private final INDArray params;
  private final INDArray grads;
  private final FlatAdam optimizer;
  private final DataType dataType;

  public Critic(int inputSize, int[] hidden, double learningRate, DataType dataType, long seed) {
    int[] sizes = new int[hidden.length + 2];
    sizes[0] = inputSize;
    System.arraycopy(hidden, 0, sizes, 1, hidden.length);
    sizes[sizes.length - 1] = 1;
    int n = Mlp.parameterCount(sizes);
    this.dataType = dataType;
    params = Nd4j.zeros(dataType, n);
    grads = Nd4j.zeros(dataType, n);
    network = new Mlp(sizes, params, grads);
    network.initialize(seed);
    optimizer = new FlatAdam(learningRate, n, dataType);
  }

  public INDArray params() {
    return params;
  }

  public INDArray grads() {
    return grads;
  }

  public double[] predict(INDArray inputs) {
    return network.forward(inputs).toDoubleVector();
  }

  /** Gradient of the expectile loss into {@link #grads()}; returns the loss. */
  public double lossGradient(INDArray inputs, double[] targets, double tau) {
    double[] f = predict(inputs);
    double[] dOut = new double[f.length];
    double loss = 0;
    for (int i = 0; i < f.length; i++) {
      double u = targets[i] - f[i];
      double w = Math.abs(tau - (u < 0 ? 1 : 0));
      loss += w * u * u / f.length;
      dOut[i] = -2 * w * u / f.length;
    }
    network.backward(Nd4j.create(dOut, new long[] {f.length, 1}, dataType));
    return loss;
  }

  /** One Adam step of expectile regression toward the targets; returns the loss before the step. */
  public double regress(INDArray inputs, double[] targets, double tau) {
    double loss = lossGradient(inputs, targets, tau);
    optimizer.step(params, grads);
    return loss;
  }
}
