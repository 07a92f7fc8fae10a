package dev.drpo.model.policy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A fully connected ReLU network with a linear output layer, forward and backward written by hand
 * on plain ND4J ops. Weights and biases are views into a flat parameter vector (and gradients into
 * a flat gradient vector) owned by the caller, so one Adam updater can step them all at once.
 * Activations live in buffers preallocated per batch size: a step allocates nothing.
 */
public final class Mlp {
  private final int[] sizes;
  private final INDArray[] weights;
  private final INDArray[] biases;
  private final INDArray[] weightGrads;
  private final INDArray[] biasGrads;
  private final DataType dataType;
  private final Map<Long, Activations> activations = new HashMap<>();
  private Activations last;

  /** Number of parameters of a network with these layer sizes (input, hidden..., output). */
  public static int parameterCount(int[] sizes) {
    int n = 0;
    for (int l = 0; l + 1 < sizes.length; l++) {
      n += sizes[l] * sizes[l + 1] + sizes[l + 1];
    }
    return n;
  }

  /**
   * @param sizes layer widths: input, hidden..., output
   * @param params a 1-D view of {@link #parameterCount} values this network reads and the optimiser writes
   * @param grads a 1-D view of the same length that {@link #backward} fills
   */
  public Mlp(int[] sizes, INDArray params, INDArray grads) {
    if (sizes.length < 2) {
      throw new IllegalArgumentException("an MLP needs at least an input and an output size");
    }
    this.sizes = sizes.clone();
    this.dataType = params.dataType();
    int layers = sizes.length - 1;
    weights = new INDArray[layers];
    biases = new INDArray[layers];
    weightGrads = new INDArray[layers];
    biasGrads = new INDArray[layers];
    long offset = 0;
    for (int l = 0; l < layers; l++) {
      long in = sizes[l];
      long out = sizes[l + 1];
      weights[l] = matrixView(params, offset, in, out);
      weightGrads[l] = matrixView(grads, offset, in, out);
      offset += in * out;
      biases[l] = matrixView(params, offset, 1, out);
      biasGrads[l] = matrixView(grads, offset, 1, out);
      offset += out;
    }
  }

  static INDArray matrixView(INDArray flat, long offset, long rows, long cols) {
    return flat.get(NDArrayIndex.interval(offset, offset + rows * cols)).reshape('c', rows, cols);
  }

  /** He-normal weights (Xavier for the linear output layer) and zero biases, from a seed. */
  public void initialize(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int l = 0; l < weights.length; l++) {
      boolean output = l == weights.length - 1;
      double std = output ? Math.sqrt(1.0 / sizes[l]) : Math.sqrt(2.0 / sizes[l]);
      double[] values = new double[sizes[l] * sizes[l + 1]];
      for (int i = 0; i < values.length; i++) {
        values[i] = gaussian(random) * std;
      }
      weights[l].assign(Nd4j.create(values, new long[] {sizes[l], sizes[l + 1]}, dataType));
      biases[l].assign(0);
    }
  }

  static double gaussian(SplittableRandom random) {
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }

  public int inputSize() {
    return sizes[0];
  }

  public int outputSize() {
    return sizes[sizes.length - 1];
  }

  public int[] sizes() {
    return sizes.clone();
  }

  public INDArray weight(int layer) {
    return weights[layer];
  }

  public INDArray bias(int layer) {
    return biases[layer];
  }

  /**
   * Forward pass of a batch [n, input]. Returns the output buffer [n, output]; it is reused by the
   * next call with the same batch size, and {@link #backward} reads the activations kept here.
   */
  public INDArray forward(INDArray input) {
    Activations a = activations.computeIfAbsent(input.size(0), this::allocate);
    a.input = input;
    INDArray x = input;
    for (int l = 0; l < weights.length; l++) {
      INDArray h = a.hidden[l];
      Blas.gemm(a.ones, biases[l], h, false, false, 1.0, 0.0);
      Blas.gemm(x, weights[l], h, false, false, 1.0, 1.0);
      if (l < weights.length - 1) {
        Nd4j.exec(new RectifiedLinear(h, h, 0.0));
      }
      x = h;
    }
    last = a;
    return x;
  }

  /**
   * Backward pass for the last {@link #forward}: given dLoss/dOutput [n, output] (it may be
   * overwritten), writes dLoss/dParams into the gradient vector.
   */
  public void backward(INDArray outputGrad) {
    Activations a = last;
    INDArray delta = outputGrad;
    for (int l = weights.length - 1; l >= 0; l--) {
      INDArray x = l == 0 ? a.input : a.hidden[l - 1];
      Blas.gemm(x, delta, weightGrads[l], true, false, 1.0, 0.0);
      Blas.gemm(a.ones, delta, biasGrads[l], true, false, 1.0, 0.0);
      if (l > 0) {
        INDArray previous = a.delta[l - 1];
        Blas.gemm(delta, weights[l], previous, false, true, 1.0, 0.0);
        Nd4j.exec(new Step(a.hidden[l - 1], a.mask[l - 1], 0.0));
        previous.muli(a.mask[l - 1]);
        delta = previous;
      }
    }
  }

  /** Multiply-adds of one forward (x2 for FLOPs); a backward without the input gradient costs 2x - first layer's. */
  public long forwardMultiplyAdds(long batch) {
    long macs = 0;
    for (int l = 0; l + 1 < sizes.length; l++) {
      macs += batch * sizes[l] * sizes[l + 1];
    }
    return macs;
  }

  private Activations allocate(long batch) {
    Activations a = new Activations();
    int layers = weights.length;
    a.hidden = new INDArray[layers];
    a.delta = new INDArray[layers - 1];
    a.ones = Nd4j.ones(dataType, batch, 1);
    a.mask = new INDArray[layers - 1];
    for (int l = 0; l < layers; l++) {
      a.hidden[l] = Nd4j.create(dataType, batch, sizes[l + 1]);
      if (l < layers - 1) {
        a.delta[l] = Nd4j.create(dataType, batch, sizes[l + 1]);
        a.mask[l] = Nd4j.create(dataType, batch, sizes[l + 1]);
      }
    }
    return a;
  }

  private static final class Activations {
    INDArray input;
    INDArray[] hidden;
    INDArray[] delta;
    INDArray ones;
    INDArray[] mask;
  }
}
