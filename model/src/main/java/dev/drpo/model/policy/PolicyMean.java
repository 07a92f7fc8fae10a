package dev.drpo.model.policy;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The policy's mean network mu(s) as plain Java arrays, for serving: a scorer passes a handful of
 * states at a time, where ND4J spends more on creating arrays and calling out than on the products
 * (one state through {@link GaussianPolicy#mean} cost about 120 us here, mostly overhead). The same
 * function as {@link Mlp#forward}: ReLU hidden layers, a linear output layer, plus the linear path
 * where the backbone has one; in float. Each layer is a sum of weight rows scaled by the inputs,
 * skipping zero inputs (ReLU zeros, the empty steps of a short session), a loop the JIT turns into
 * vector instructions. Copied from a policy once; immutable, so threads may share it.
 */
public final class PolicyMean {
  private final int[] sizes;
  /** Per layer: W, [in x out] row-major. */
  private final float[][] weights;
  private final float[][] biases;
  /** The linear path L, [(in + 1) x out] row-major, its last row the bias; null without one. */
  private final float[] linear;

  private PolicyMean(int[] sizes, float[][] weights, float[][] biases, float[] linear) {
    this.sizes = sizes;
    this.weights = weights;
    this.biases = biases;
    this.linear = linear;
  }

  /** A copy of the policy's mean network as it is now. */
  public static PolicyMean of(GaussianPolicy policy) {
    Mlp mlp = policy.meanNetwork();
    int[] sizes = mlp.sizes();
    int layers = sizes.length - 1;
    float[][] weights = new float[layers][];
    float[][] biases = new float[layers][];
    for (int l = 0; l < layers; l++) {
      weights[l] = floats(mlp.weight(l));
      biases[l] = floats(mlp.bias(l));
    }
    return new PolicyMean(sizes, weights, biases, mlp.linearPath() == null ? null : floats(mlp.linearPath()));
  }

  private static float[] floats(INDArray x) {
    return x.castTo(DataType.FLOAT).dup('c').data().asFloat();
  }

  public int inputSize() {
    return sizes[0];
  }

  public int outputSize() {
    return sizes[sizes.length - 1];
  }

  /** mu(s) of {@code rows} states ([rows x inputSize()] row-major) as [rows x outputSize()] row-major. */
  public float[] apply(float[] states, int rows) {
    int in = inputSize();
    int out = outputSize();
    if (states.length < rows * in) {
      throw new IllegalArgumentException("need " + rows + " states of " + in + ", got " + states.length + " values");
    }
    float[] mu = new float[rows * out];
    for (int r = 0; r < rows; r++) {
      float[] x = Arrays.copyOfRange(states, r * in, (r + 1) * in);
      for (int l = 0; l < weights.length; l++) {
        float[] y = biases[l].clone();
        addRows(x, 0, x.length, weights[l], y);
        if (l < weights.length - 1) {
          for (int o = 0; o < y.length; o++) {
            y[o] = Math.max(y[o], 0f);
          }
        }
        x = y;
      }
      if (linear != null) {
        addRows(states, r * in, in, linear, x);
        for (int o = 0; o < out; o++) {
          x[o] += linear[in * out + o];
        }
      }
      System.arraycopy(x, 0, mu, r * out, out);
    }
    return mu;
  }

  /** y += x[from..from+n) W, W [n x y.length] row-major. */
  private static void addRows(float[] x, int from, int n, float[] w, float[] y) {
    int width = y.length;
    for (int i = 0; i < n; i++) {
      float xi = x[from + i];
      if (xi == 0f) {
        continue;
      }
      int row = i * width;
      for (int o = 0; o < width; o++) {
        y[o] += xi * w[row + o];
      }
    }
  }
}
