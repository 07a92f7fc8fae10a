package dev.drpo.model.policy;

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
 *
 * <p>Each layer's parameters are stored W (in x out, row-major) then b (out): together the
 * augmented matrix [W; b] of shape (in + 1) x out. Activations carry a trailing column of ones, so
 * one matrix product computes x W + b in the forward pass and [dW; db] = [x 1]^T delta in the
 * backward pass: no separate bias ops (each of which cost as much as a third of a layer's product
 * here). Activations live in one set of buffers as tall as the largest batch seen; a smaller batch
 * uses their first rows (views, cached for the last few sizes), so a stream of partial batches of
 * every size holds one batch's worth of memory, and a step at the largest size allocates nothing.
 */
public final class Mlp {
  private final int[] sizes;
  private final INDArray[] weights;
  private final INDArray[] biases;
  private final INDArray[] augmented;
  private final INDArray[] augmentedGrads;
  /** The linear path [s 1] L added to the output, or null: L (input + 1) x output, and its gradient. */
  private final INDArray linear;
  private final INDArray linearGrad;
  private final DataType dataType;
  private final Map<Long, Activations> views = Views.lru();
  private Activations full;
  private final HostCopy host = new HostCopy();
  private Activations last;

  /** Number of parameters of a network with these layer sizes (input, hidden..., output). */
  public static int parameterCount(int[] sizes) {
    return parameterCount(sizes, false);
  }

  /** The same, with or without the linear path from the input to the output. */
  public static int parameterCount(int[] sizes, boolean linearPath) {
    int n = 0;
    for (int l = 0; l + 1 < sizes.length; l++) {
      n += sizes[l] * sizes[l + 1] + sizes[l + 1];
    }
    return n + (linearPath ? (sizes[0] + 1) * sizes[sizes.length - 1] : 0);
  }

  /**
   * @param sizes layer widths: input, hidden..., output
   * @param params a 1-D view of {@link #parameterCount} values this network reads and the optimiser writes
   * @param grads a 1-D view of the same length that {@link #backward} fills
   */
  public Mlp(int[] sizes, INDArray params, INDArray grads) {
    this(sizes, false, params, grads);
  }

  /**
   * @param linearPath add [x 1] L to the output, L (input + 1) x output stored after the layers
   *     (row-major, the last row is its bias); it starts at zero, so the network starts as the MLP
   */
  public Mlp(int[] sizes, boolean linearPath, INDArray params, INDArray grads) {
    if (sizes.length < 2) {
      throw new IllegalArgumentException("an MLP needs at least an input and an output size");
    }
    this.sizes = sizes.clone();
    this.dataType = params.dataType();
    int layers = sizes.length - 1;
    weights = new INDArray[layers];
    biases = new INDArray[layers];
    augmented = new INDArray[layers];
    augmentedGrads = new INDArray[layers];
    long offset = 0;
    for (int l = 0; l < layers; l++) {
      long in = sizes[l];
      long out = sizes[l + 1];
      augmented[l] = matrixView(params, offset, in + 1, out);
      augmentedGrads[l] = matrixView(grads, offset, in + 1, out);
      weights[l] = matrixView(params, offset, in, out);
      biases[l] = matrixView(params, offset + in * out, 1, out);
      offset += (in + 1) * out;
    }
    linear = linearPath ? matrixView(params, offset, sizes[0] + 1, sizes[layers]) : null;
    linearGrad = linearPath ? matrixView(grads, offset, sizes[0] + 1, sizes[layers]) : null;
  }

  static INDArray matrixView(INDArray flat, long offset, long rows, long cols) {
    return flat.get(NDArrayIndex.interval(offset, offset + rows * cols)).reshape('c', rows, cols);
  }

  /**
   * With a linear path, the output layer starts this much smaller than Xavier's: the network starts
   * near zero, so the early direction of mu comes from the data, not from the random ReLU features
   * (as for the last layer of a policy in Andrychowicz et al., "What matters in on-policy RL", 2021).
   */
  static final double OUTPUT_SCALE_WITH_LINEAR_PATH = 0.01;

  /** He-normal weights (Xavier for the linear output layer, smaller with a linear path) and zero biases, from a seed. */
  public void initialize(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int l = 0; l < weights.length; l++) {
      boolean output = l == weights.length - 1;
      double std = output ? Math.sqrt(1.0 / sizes[l]) * (linear != null ? OUTPUT_SCALE_WITH_LINEAR_PATH : 1) : Math.sqrt(2.0 / sizes[l]);
      double[] values = new double[sizes[l] * sizes[l + 1]];
      for (int i = 0; i < values.length; i++) {
        values[i] = random.nextGaussian() * std;
      }
      weights[l].assign(Nd4j.create(values, new long[] {sizes[l], sizes[l + 1]}, dataType));
      biases[l].assign(0);
    }
    if (linear != null) {
      linear.assign(0);
    }
  }

  public int[] sizes() {
    return sizes.clone();
  }

  /** W of a layer [in, out]; a live view. */
  public INDArray weight(int layer) {
    return weights[layer];
  }

  /** b of a layer [1, out]; a live view. */
  public INDArray bias(int layer) {
    return biases[layer];
  }

  /** L of the linear path [input + 1, output] (the last row is its bias), a live view; null without one. */
  public INDArray linearPath() {
    return linear;
  }

  /**
   * Forward pass of a batch [n, input]. Returns the output buffer [n, output]; it is reused by the
   * next call with the same batch size, and {@link #backward} reads the activations kept here.
   */
  public INDArray forward(INDArray input) {
    Activations a = activations(input.size(0));
    host.copyIntoColumns(input, full.input, a.inputColumns);
    INDArray x = a.input;
    for (int l = 0; l < weights.length; l++) {
      Blas.gemm(x, augmented[l], a.outputColumns[l], false, false, 1.0, 0.0);
      if (l < weights.length - 1) {
        Nd4j.exec(new RectifiedLinear(a.hidden[l], a.hidden[l], 0.0));
      }
      x = a.hidden[l];
    }
    if (linear != null) {
      Blas.gemm(a.input, linear, x, false, false, 1.0, 1.0);
    }
    last = a;
    return x;
  }

  /**
   * Backward pass for the last {@link #forward}: given dLoss/dOutput [n, output], writes
   * dLoss/dParams into the gradient vector.
   */
  public void backward(INDArray outputGrad) {
    Activations a = last;
    INDArray delta = outputGrad;
    if (linear != null) {
      Blas.gemm(a.input, delta, linearGrad, true, false, 1.0, 0.0);
    }
    for (int l = weights.length - 1; l >= 0; l--) {
      INDArray x = l == 0 ? a.input : a.hidden[l - 1];
      Blas.gemm(x, delta, augmentedGrads[l], true, false, 1.0, 0.0);
      if (l > 0) {
        INDArray previous = a.delta[l - 1];
        Blas.gemm(delta, weights[l], a.deltaColumns[l - 1], false, true, 1.0, 0.0);
        Nd4j.exec(new Step(a.hidden[l - 1], a.mask[l - 1], 0.0));
        previous.muli(a.mask[l - 1]);
        delta = a.deltaColumns[l - 1];
      }
    }
  }

  /** Rows of the activation buffers held: the largest batch seen. */
  public int bufferedRows() {
    return full == null ? 0 : (int) full.input.size(0);
  }

  /** The buffers for a batch of n rows: all of them at the largest size, their first n rows below it. */
  private Activations activations(long n) {
    if (full == null || full.input.size(0) < n) {
      full = allocate(n);
      views.clear();
    }
    return n == full.input.size(0) ? full : views.computeIfAbsent(n, this::firstRows);
  }

  private Activations firstRows(long n) {
    int layers = weights.length;
    Activations a = new Activations(layers);
    a.input = Views.firstRows(full.input, n);
    a.inputColumns = columns(a.input, sizes[0]);
    for (int l = 0; l < layers; l++) {
      a.hidden[l] = Views.firstRows(full.hidden[l], n);
      if (l < layers - 1) {
        a.outputColumns[l] = columns(a.hidden[l], sizes[l + 1]);
        a.delta[l] = Views.firstRows(full.delta[l], n);
        a.deltaColumns[l] = columns(a.delta[l], sizes[l + 1]);
        a.mask[l] = Views.firstRows(full.mask[l], n);
      } else {
        a.outputColumns[l] = a.hidden[l];
      }
    }
    return a;
  }

  private Activations allocate(long batch) {
    int layers = weights.length;
    Activations a = new Activations(layers);
    a.input = withOnesColumn(batch, sizes[0]);
    a.inputColumns = columns(a.input, sizes[0]);
    for (int l = 0; l < layers; l++) {
      int out = sizes[l + 1];
      if (l < layers - 1) {
        a.hidden[l] = withOnesColumn(batch, out);
        a.outputColumns[l] = columns(a.hidden[l], out);
        a.delta[l] = Nd4j.zeros(dataType, batch, out + 1);
        a.deltaColumns[l] = columns(a.delta[l], out);
        a.mask[l] = Nd4j.zeros(dataType, batch, out + 1);
      } else {
        a.hidden[l] = Nd4j.create(dataType, batch, out);
        a.outputColumns[l] = a.hidden[l];
      }
    }
    return a;
  }

  private INDArray withOnesColumn(long batch, int width) {
    INDArray x = Nd4j.zeros(dataType, batch, width + 1);
    x.getColumn(width).assign(1.0);
    return x;
  }

  private static INDArray columns(INDArray x, int width) {
    return x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width));
  }

  /**
   * For a batch size. Hidden activations and deltas are [n, width + 1]: the last column of an
   * activation is all ones (ReLU keeps 1 as 1), a delta's last column is unused.
   */
  private static final class Activations {
    INDArray input;
    INDArray inputColumns;
    final INDArray[] hidden;
    final INDArray[] outputColumns;
    final INDArray[] delta;
    final INDArray[] deltaColumns;
    final INDArray[] mask;

    Activations(int layers) {
      hidden = new INDArray[layers];
      outputColumns = new INDArray[layers];
      delta = new INDArray[layers - 1];
      deltaColumns = new INDArray[layers - 1];
      mask = new INDArray[layers - 1];
    }
  }
}
