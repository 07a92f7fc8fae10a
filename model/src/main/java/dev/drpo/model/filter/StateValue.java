package dev.drpo.model.filter;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A per-state estimate of the serving policy's expected reward, V(s) = w . [s, 1]: ridge regression
 * of every sample's quality on its state features, over a recent horizon. The hard filter ranks
 * quality relative to it, q - V(s), so that on a policy's own traffic it ranks actions (which did
 * better than the policy usually does for that state), not states (which users are easy to please).
 *
 * <p>Samples are {@link #add added} one by one (the upper triangle of X^T X and X^T q, O(p^2) each);
 * {@link #solve} refits w with a Cholesky factorisation (O(p^3)) and then discounts the sums by
 * {@code retention}, so old samples fade with the horizon: a sample's weight after n solves is
 * retention^n. Between solves V is fixed (before the first, it is the running mean quality); its
 * bytes hold the sums, their weight and the fit, so a restored V continues exactly. The
 * ridge on the features' coefficients is {@link #RIDGE} x their mean diagonal of X^T X (as the
 * learning benchmark's linear bound); the intercept is not shrunk, so a state without features gets
 * the mean quality. Versioned bytes ({@link #toBytes}); not thread-safe.
 */
public final class StateValue {
  static final double RIDGE = 1e-3;
  private static final double FLOOR = 1e-9;
  private static final int VERSION = 1;

  private final int features;
  private final int p;
  private final double retention;
  /** Upper triangle of the discounted X^T X, row-major: (i, j) with j >= i at i * p - i * (i - 1) / 2 + (j - i). */
  private final double[] xtx;
  private final double[] xtq;
  private final double[] w;
  private double samples;
  private boolean solved;

  /**
   * @param features length of the state features (0: V is the mean quality)
   * @param retention factor in (0, 1] the sums are multiplied by at each solve
   */
  public StateValue(int features, double retention) {
    if (features < 0 || !(retention > 0 && retention <= 1)) {
      throw new IllegalArgumentException("need features >= 0 and retention in (0, 1]: " + features + ", " + retention);
    }
    this.features = features;
    this.p = features + 1;
    this.retention = retention;
    this.xtx = new double[p * (p + 1) / 2];
    this.xtq = new double[p];
    this.w = new double[p];
  }

  /** V(s) (null: all features 0); before the first {@link #solve}, the mean quality so far (0 without samples). */
  public double value(float[] state) {
    check(state);
    if (!solved) {
      return samples == 0 ? 0 : xtq[features] / samples;
    }
    double v = w[features];
    for (int j = 0; j < features && state != null; j++) {
      v += w[j] * state[j];
    }
    return v;
  }

  /** Takes one sample into the sums (null: all features 0); V changes at the next {@link #solve}. */
  public void add(float[] state, double quality) {
    check(state);
    int at = 0;
    for (int i = 0; i < p; i++) {
      double xi = i == features ? 1 : state == null ? 0 : state[i];
      for (int j = i; j < p; j++) {
        xtx[at++] += xi * (j == features ? 1 : state == null ? 0 : state[j]);
      }
      xtq[i] += xi * quality;
    }
    samples++;
  }

  /** Refits w to the sums, then discounts them. Nothing to fit without samples. */
  public void solve() {
    if (samples == 0) {
      return;
    }
    double trace = 0;
    for (int i = 0; i < features; i++) {
      trace += xtx[index(i, i)];
    }
    double lambda = RIDGE * trace / Math.max(1, features) + FLOOR;
    // Cholesky A = L L^T of A = X^T X + lambda I, then L y = X^T q, L^T w = y
    double[] l = new double[p * p];
    for (int i = 0; i < p; i++) {
      for (int j = 0; j <= i; j++) {
        double sum = xtx[index(j, i)] + (i != j ? 0 : i == features ? FLOOR : lambda);
        for (int k = 0; k < j; k++) {
          sum -= l[i * p + k] * l[j * p + k];
        }
        l[i * p + j] = i == j ? Math.sqrt(sum) : sum / l[j * p + j];
      }
    }
    double[] y = new double[p];
    for (int i = 0; i < p; i++) {
      double sum = xtq[i];
      for (int k = 0; k < i; k++) {
        sum -= l[i * p + k] * y[k];
      }
      y[i] = sum / l[i * p + i];
    }
    double[] fitted = new double[p];
    for (int i = p - 1; i >= 0; i--) {
      double sum = y[i];
      for (int k = i + 1; k < p; k++) {
        sum -= l[k * p + i] * fitted[k];
      }
      fitted[i] = sum / l[i * p + i];
    }
    if (Arrays.stream(fitted).allMatch(Double::isFinite)) { // else the last good fit stays
      System.arraycopy(fitted, 0, w, 0, p);
      solved = true;
    }
    for (int i = 0; i < xtx.length; i++) {
      xtx[i] *= retention;
    }
    for (int i = 0; i < p; i++) {
      xtq[i] *= retention;
    }
    samples *= retention;
  }

  private int index(int i, int j) {
    return i * p - i * (i - 1) / 2 + (j - i);
  }

  private void check(float[] state) {
    if (state != null && state.length != features) {
      throw new IllegalArgumentException("a state of " + state.length + " features for a value of " + features);
    }
  }

  /** Length of the state features. */
  public int features() {
    return features;
  }

  /** The fitted coefficients, the last one the intercept (a copy). */
  public double[] coefficients() {
    return w.clone();
  }

  /** The state as bytes: version, features, whether it was solved, the discounted sums and sample weight, w. */
  public byte[] toBytes() {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 + 1 + 8 * (xtx.length + xtq.length + 1 + w.length));
    b.putInt(VERSION).putInt(features).put((byte) (solved ? 1 : 0));
    for (double x : xtx) {
      b.putDouble(x);
    }
    for (double x : xtq) {
      b.putDouble(x);
    }
    b.putDouble(samples);
    for (double x : w) {
      b.putDouble(x);
    }
    return b.array();
  }

  /** Restores {@link #toBytes} output with this retention. */
  public static StateValue fromBytes(byte[] bytes, double retention) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    int version = b.getInt();
    if (version != VERSION) {
      throw new IllegalArgumentException("unknown state value version " + version);
    }
    StateValue v = new StateValue(b.getInt(), retention);
    v.solved = b.get() == 1;
    for (int i = 0; i < v.xtx.length; i++) {
      v.xtx[i] = b.getDouble();
    }
    for (int i = 0; i < v.p; i++) {
      v.xtq[i] = b.getDouble();
    }
    v.samples = b.getDouble();
    for (int i = 0; i < v.p; i++) {
      v.w[i] = b.getDouble();
    }
    return v;
  }
}
