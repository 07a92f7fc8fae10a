package dev.drpo.simulator.bench;

import dev.drpo.simulator.LoggedData;
import dev.drpo.simulator.World;
import java.util.Arrays;
import java.util.function.IntFunction;
import java.util.function.IntToDoubleFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.inverse.InvertMatrix;

/**
 * The best a linear mean can do with given sample weights: for a fixed sigma, maximising the
 * weighted Gaussian log-likelihood sum_i w_i log N(a_i; B^T [s_i; 1], sigma^2) is weighted least
 * squares, solved in closed form, B = (X^T W X + lambda I)^-1 X^T W A with X = [s 1] and a ridge
 * lambda = 1e-3 x trace(X^T W X) / (stateDim + 1). Every method in this product maximises such a
 * weighted likelihood (with its own weights) over an MLP; this is the same objective over the
 * linear maps, exactly optimised, so a network that stays below it on the same weights underfits.
 */
public final class LinearBound {
  static final double RIDGE = 1e-3;
  private static final int CHUNK = 4_096;

  /** B, [stateDim + 1, d]: the last row is the bias. */
  private final INDArray coefficients;

  private LinearBound(INDArray coefficients) {
    this.coefficients = coefficients;
  }

  /** Fits B to the logged samples with these weights (one per sample, >= 0). */
  public static LinearBound fit(World world, LoggedData data, double[] weights) {
    if (weights.length != data.size()) {
      throw new IllegalArgumentException("one weight per sample: " + weights.length + " for " + data.size());
    }
    return fit(data.size(), world.config().stateDim(), world.config().dimension(),
        i -> world.state(data.user(i)), i -> world.catalog().embedding(data.item(i)), i -> weights[i]);
  }

  /**
   * The linear oracle of a world: the least-squares map from each training user's state to the
   * user's interest u*, the direction the oracle serves by (its item is the nearest to u*). It
   * stands for the best policy mean of the backbone's linear path that the state allows, so what it
   * serves, evaluated like the policy, is the ceiling a learner of this class can reach. (Fitted to
   * the oracle's items instead of u*, it serves less: 0.905 of the oracle on the default world's
   * held-out users against 0.97, the item's own offset from u* being noise to the map.)
   */
  public static LinearBound oracle(World world) {
    return fit(world.trainingUsers(), world.config().stateDim(), world.config().dimension(), world::state, world::interest,
        i -> 1.0);
  }

  private static LinearBound fit(int size, int stateDim, int d, IntFunction<float[]> state, IntFunction<float[]> target,
      IntToDoubleFunction weight) {
    int p = stateDim + 1;
    INDArray xtwx = Nd4j.zeros(DataType.DOUBLE, p, p);
    INDArray xtwa = Nd4j.zeros(DataType.DOUBLE, p, d);
    for (int from = 0; from < size; from += CHUNK) {
      int n = Math.min(CHUNK, size - from);
      double[] x = new double[n * p];
      double[] a = new double[n * d];
      for (int i = 0; i < n; i++) {
        double root = Math.sqrt(weight.applyAsDouble(from + i));
        float[] s = state.apply(from + i);
        float[] e = target.apply(from + i);
        for (int j = 0; j < p - 1; j++) {
          x[i * p + j] = root * s[j];
        }
        x[i * p + p - 1] = root;
        for (int j = 0; j < d; j++) {
          a[i * d + j] = root * e[j];
        }
      }
      INDArray xw = Nd4j.create(x, new long[] {n, p}, DataType.DOUBLE);
      xtwx.addi(xw.transpose().mmul(xw));
      xtwa.addi(xw.transpose().mmul(Nd4j.create(a, new long[] {n, d}, DataType.DOUBLE)));
    }
    double trace = 0;
    for (int j = 0; j < p; j++) {
      trace += xtwx.getDouble(j, j);
    }
    double lambda = RIDGE * trace / p;
    xtwx.addi(Nd4j.eye(p).castTo(DataType.DOUBLE).muli(lambda));
    return new LinearBound(InvertMatrix.invert(xtwx, false).mmul(xtwa));
  }

  /** mu for states [n, stateDim]. */
  public INDArray mean(INDArray states) {
    INDArray x = Nd4j.hstack(states.castTo(DataType.DOUBLE), Nd4j.ones(DataType.DOUBLE, states.size(0), 1));
    return x.mmul(coefficients);
  }

  /** Unit weights: behaviour cloning of every sample. */
  public static double[] uniform(LoggedData data) {
    double[] w = new double[data.size()];
    Arrays.fill(w, 1.0);
    return w;
  }

  /**
   * DRPO's weights over the whole log: (r - nu)_+ with nu the (1 - keep)-quantile of the logged
   * rewards, so only the top {@code keep} share weighs.
   */
  public static double[] drpo(LoggedData data, double keep) {
    double[] sorted = new double[data.size()];
    for (int i = 0; i < sorted.length; i++) {
      sorted[i] = data.reward(i);
    }
    Arrays.sort(sorted);
    double nu = sorted[(int) Math.min(sorted.length - 1, Math.floor((1 - keep) * sorted.length))];
    double[] w = new double[data.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = Math.max(0, data.reward(i) - nu);
    }
    return w;
  }
}
