package dev.drpo.model.policy;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Adam (beta1 0.9, beta2 0.999, eps 1e-8, ND4J's bias correction) over a whole flat parameter
 * vector, as one fused Java loop in the policy's precision: the moments m and v live in Java arrays,
 * parameters and gradients are bulk-copied in and the parameters out ({@link HostCopy}). ND4J's
 * own Adam op measured about 650 us for the default policy's 50k parameters here; this step,
 * copies included, a small fraction of that. A test holds it to ND4J's AdamUpdater. One range of
 * the vector may take larger steps early on ({@link #boost}).
 */
public final class FlatAdam {
  private static final double BETA1 = Adam.DEFAULT_ADAM_BETA1_MEAN_DECAY;
  private static final double BETA2 = Adam.DEFAULT_ADAM_BETA2_VAR_DECAY;
  private static final double EPSILON = Adam.DEFAULT_ADAM_EPSILON;

  private final double learningRate;
  private final int length;
  private final Moments moments;
  private final HostCopy host = new HostCopy();
  private int iteration;
  /** Parameters [boostFrom, boostTo) step boostFactor times further at first, 1 times after boostSteps (linearly). */
  private int boostFrom;
  private int boostTo;
  private double boostFactor = 1;
  private int boostSteps = 1;

  public FlatAdam(double learningRate, int length, DataType dataType) {
    this.learningRate = learningRate;
    this.length = length;
    this.moments = dataType == DataType.FLOAT ? new SingleMoments(length) : new DoubleMoments(length);
  }

  /**
   * Lets parameters [from, to) step {@code factor} times as far as the others at the first step, less
   * with every step, as far from step {@code steps} on (the step count carries across restores).
   */
  public FlatAdam boost(int from, int to, double factor, int steps) {
    if (from < 0 || to > length || from > to || !(factor >= 1) || steps < 1) {
      throw new IllegalArgumentException("boost needs 0 <= from <= to <= " + length + ", factor >= 1 and steps >= 1");
    }
    boostFrom = from;
    boostTo = to;
    boostFactor = factor;
    boostSteps = steps;
    return this;
  }

  /** params -= Adam(grads), for dense vectors of this length. */
  public void step(INDArray params, INDArray grads) {
    double alpha = learningRate * Math.sqrt(1 - Math.pow(BETA2, iteration + 1)) / (1 - Math.pow(BETA1, iteration + 1));
    double boosted = alpha * (1 + (boostFactor - 1) * Math.max(0, 1 - iteration / (double) boostSteps));
    moments.step(params, grads, alpha, boosted);
    iteration++;
  }

  /** The moments [m | v] as one new array. */
  public double[] state() {
    return moments.state();
  }

  /** Restores moments [m | v] and the step count. */
  public void restore(double[] state, int iteration) {
    if (state.length != 2 * length) {
      throw new IllegalArgumentException("Adam state must hold " + 2 * length + " values, got " + state.length);
    }
    moments.restore(state);
    this.iteration = iteration;
  }

  public void copyFrom(FlatAdam other) {
    moments.copyFrom(other.moments);
    iteration = other.iteration;
  }

  public int iteration() {
    return iteration;
  }

  private interface Moments {
    /** One step: {@code alpha} for every parameter, {@code boosted} for the boosted range. */
    void step(INDArray params, INDArray grads, double alpha, double boosted);

    double[] state();

    void restore(double[] state);

    void copyFrom(Moments other);
  }

  /** float32 moments and arithmetic, as ND4J's float Adam does it. */
  private final class SingleMoments implements Moments {
    final float[] m;
    final float[] v;
    final float[] p;
    final float[] g;

    SingleMoments(int n) {
      m = new float[n];
      v = new float[n];
      p = new float[n];
      g = new float[n];
    }

    @Override
    public void step(INDArray params, INDArray grads, double alpha, double boosted) {
      host.get(params, 0, p, length);
      host.get(grads, 0, g, length);
      float b1 = (float) BETA1;
      float b2 = (float) BETA2;
      float eps = (float) EPSILON;
      for (int i = 0; i < length; i++) {
        float a = (float) (i >= boostFrom && i < boostTo ? boosted : alpha);
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        p[i] -= a * m[i] / ((float) Math.sqrt(v[i]) + eps);
      }
      host.put(p, params, 0, length);
    }

    @Override
    public double[] state() {
      double[] s = new double[2 * length];
      for (int i = 0; i < length; i++) {
        s[i] = m[i];
        s[length + i] = v[i];
      }
      return s;
    }

    @Override
    public void restore(double[] s) {
      for (int i = 0; i < length; i++) {
        m[i] = (float) s[i];
        v[i] = (float) s[length + i];
      }
    }

    @Override
    public void copyFrom(Moments other) {
      SingleMoments o = (SingleMoments) other;
      System.arraycopy(o.m, 0, m, 0, length);
      System.arraycopy(o.v, 0, v, 0, length);
    }
  }

  /** float64 moments, for gradient-check policies. */
  private final class DoubleMoments implements Moments {
    final double[] m;
    final double[] v;
    final double[] p;
    final double[] g;

    DoubleMoments(int n) {
      m = new double[n];
      v = new double[n];
      p = new double[n];
      g = new double[n];
    }

    @Override
    public void step(INDArray params, INDArray grads, double alpha, double boosted) {
      host.get(params, 0, p, length);
      host.get(grads, 0, g, length);
      for (int i = 0; i < length; i++) {
        double a = i >= boostFrom && i < boostTo ? boosted : alpha;
        m[i] = BETA1 * m[i] + (1 - BETA1) * g[i];
        v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
        p[i] -= a * m[i] / (Math.sqrt(v[i]) + EPSILON);
      }
      host.put(p, params, 0, length);
    }

    @Override
    public double[] state() {
      double[] s = new double[2 * length];
      System.arraycopy(m, 0, s, 0, length);
      System.arraycopy(v, 0, s, length, length);
      return s;
    }

    @Override
    public void restore(double[] s) {
      System.arraycopy(s, 0, m, 0, length);
      System.arraycopy(s, length, v, 0, length);
    }

    @Override
    public void copyFrom(Moments other) {
      restore(other.state());
    }
  }
}
