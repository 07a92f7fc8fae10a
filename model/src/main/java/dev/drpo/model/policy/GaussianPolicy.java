package dev.drpo.model.policy;

import dev.drpo.model.snapshot.PolicySnapshot;
import dev.drpo.model.snapshot.PolicySnapshot.Precision;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The policy pi(a|s) = N(mu(s), diag(sigma^2)) over the item-embedding space (docs/method.md section 4):
 * mu is an {@link Mlp} (with the linear path when the config's backbone says so), log sigma a learned vector clamped to [logSigmaMin, logSigmaMax] after
 * every update (a projected gradient step, so log pi and its gradient stay exact inside the box).
 *
 * <p>All parameters (mean network, then log sigma) sit in one flat vector, trained by one
 * {@link FlatAdam}. A training step is {@link #evaluate} (forward, log pi per sample), then
 * {@link #backward} with per-sample coefficients c_i for the loss -sum_i c_i log pi(a_i|s_i),
 * then {@link #applyGradient}. Every objective in this product is such a weighted log-likelihood.
 *
 * <p>Matrix products run in ND4J ({@link Blas}); the Gaussian's element-wise part (z, log pi,
 * d mu, d log sigma) is one Java loop over host copies of mu and a: on 320 x 128 that replaces
 * about ten ND4J ops of 20-40 us dispatch each.
 */
public final class GaussianPolicy {
  /**
   * The linear path's first Adam steps go this many times further than the other parameters', less
   * with every step, as far from {@link #LINEAR_PATH_BOOST_STEPS} on. It starts at zero and Adam
   * moves each weight by about the learning rate per step, so with few inputs (a state of 8 to 32
   * numbers) its output grows slowly: DRPO reached 0.21-0.24 of the oracle after 300 steps at d = 16
   * where the paper's 2 x 128 network reached 0.75 (0.84 with the boost; within 0.006 of before at 5,000
   * steps; results/learning-early).
   */
  static final double LINEAR_PATH_BOOST = 10;
  static final int LINEAR_PATH_BOOST_STEPS = 1_000;
  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

  private final PolicyConfig config;
  private final DataType dataType;
  private final INDArray params;
  private final INDArray grads;
  private final Mlp mean;
  private final int meanCount;
  private final INDArray logSigma;
  private final FlatAdam optimizer;
  private final HostCopy host = new HostCopy();
  private final double[] logSigmaHost;
  private final double[] invSigma;
  private final double[] logSigmaGrad;
  private final Map<Long, INDArray> muGradViews = Views.lru();
  private Buffers buffers;
  private Buffers last;

  public GaussianPolicy(PolicyConfig config, DataType dataType, long seed) {
    this.config = config;
    this.dataType = dataType;
    int n = config.parameterCount();
    int d = config.actionDim();
    meanCount = n - d;
    params = Nd4j.zeros(dataType, n);
    grads = Nd4j.zeros(dataType, n);
    mean = new Mlp(config.meanNetworkSizes(), config.linearPath(), params.get(NDArrayIndex.interval(0, meanCount)),
        grads.get(NDArrayIndex.interval(0, meanCount)));
    logSigma = Mlp.matrixView(params, meanCount, 1, d);
    optimizer = new FlatAdam(config.learningRate(), n, dataType);
    if (config.linearPath()) {
      optimizer.boost(Mlp.parameterCount(config.meanNetworkSizes(), false), meanCount, LINEAR_PATH_BOOST, LINEAR_PATH_BOOST_STEPS);
    }
    logSigmaHost = new double[d];
    invSigma = new double[d];
    logSigmaGrad = new double[d];
    mean.initialize(seed);
    logSigma.assign(config.initialLogSigma());
  }

  public PolicyConfig config() {
    return config;
  }

  public DataType dataType() {
    return dataType;
  }

  /** The flat parameter vector (mean network, then log sigma); a live view. */
  public INDArray params() {
    return params;
  }

  /** The flat gradient vector filled by {@link #backward}; a live view. */
  public INDArray grads() {
    return grads;
  }

  public FlatAdam optimizer() {
    return optimizer;
  }

  public Mlp meanNetwork() {
    return mean;
  }

  /** log sigma [1, d]; a live view. */
  public INDArray logSigma() {
    return logSigma;
  }

  /** mu(s) for a batch of states [n, stateDim]; a buffer reused by the next call of the same size. */
  public INDArray mean(INDArray states) {
    return mean.forward(states);
  }

  /**
   * Forward pass: log pi(a_i|s_i) for every row (exact, closed form), kept for {@link #backward}.
   *
   * @return log-likelihoods, one per sample
   */
  public double[] evaluate(INDArray states, INDArray actions) {
    int n = (int) states.size(0);
    int d = config.actionDim();
    Buffers b = buffers(n);
    b.mu = mean.forward(states);
    host.get(b.mu, 0, b.muHost, n * d);
    host.get(actions, 0, b.actionHost, n * d);
    double logSigmaSum = readLogSigma();
    for (int j = 0; j < d; j++) {
      invSigma[j] = Math.exp(-logSigmaHost[j]);
    }
    double constant = logSigmaSum + d * HALF_LOG_TWO_PI;
    double muSquares = 0;
    double[] logPi = new double[n];
    for (int i = 0; i < n; i++) {
      double squares = 0;
      int row = i * d;
      for (int j = 0; j < d; j++) {
        double mu = b.muHost[row + j];
        double z = (b.actionHost[row + j] - mu) * invSigma[j];
        b.z[row + j] = z;
        squares += z * z;
        muSquares += mu * mu;
      }
      logPi[i] = -0.5 * squares - constant;
    }
    b.muNormSquared = muSquares;
    b.meanLogSigma = logSigmaSum / d;
    last = b;
    return logPi;
  }

  /**
   * Gradient of L = -sum_i c_i log pi(a_i|s_i) for the last {@link #evaluate} into {@link #grads()}:
   * dL/dmu_ij = -c_i z_ij / sigma_j, dL/dlogsigma_j = sum_i c_i (1 - z_ij^2), z = (a - mu) / sigma.
   */
  public void backward(double[] coefficients) {
    Buffers b = last;
    int n = coefficients.length;
    int d = config.actionDim();
    Arrays.fill(logSigmaGrad, 0);
    for (int i = 0; i < n; i++) {
      double c = coefficients[i];
      int row = i * d;
      for (int j = 0; j < d; j++) {
        double z = b.z[row + j];
        b.muGradHost[row + j] = -c * z * invSigma[j];
        logSigmaGrad[j] += c * (1 - z * z);
      }
    }
    host.put(b.muGradHost, b.muGrad, 0, n * d);
    host.put(logSigmaGrad, grads, meanCount, d);
    mean.backward(n == b.muGrad.size(0) ? b.muGrad : muGradViews.computeIfAbsent((long) n, rows -> Views.firstRows(b.muGrad, rows)));
  }

  /** One Adam step on the gradient of the last {@link #backward}, then the log sigma clamp. */
  public void applyGradient() {
    optimizer.step(params, grads);
    readLogSigma();
    for (int j = 0; j < logSigmaHost.length; j++) {
      logSigmaHost[j] = Math.min(config.logSigmaMax(), Math.max(config.logSigmaMin(), logSigmaHost[j]));
    }
    host.put(logSigmaHost, params, meanCount, logSigmaHost.length);
  }

  /** Root-mean-square norm of mu over the last evaluated batch: the policy's output intensity. */
  public double lastMeanNorm() {
    return Math.sqrt(last.muNormSquared / last.mu.size(0));
  }

  /** Mean log sigma at the last {@link #evaluate}: the other half of the output intensity. */
  public double lastMeanLogSigma() {
    return last.meanLogSigma;
  }

  /** Mean log sigma now. */
  public double meanLogSigma() {
    return readLogSigma() / logSigmaHost.length;
  }

  /** mu of the last {@link #evaluate}; a buffer the next forward of that batch size overwrites. */
  public INDArray lastMean() {
    return last.mu;
  }

  /** Rows of the work buffers held: the largest batch evaluated. */
  public int bufferedRows() {
    return buffers == null ? 0 : (int) buffers.muGrad.size(0);
  }

  private double readLogSigma() {
    host.get(params, meanCount, logSigmaHost, logSigmaHost.length);
    double sum = 0;
    for (double v : logSigmaHost) {
      sum += v;
    }
    return sum;
  }

  /**
   * This policy's numbers as a snapshot; with {@code withOptimizer} false only what serving needs.
   */
  public PolicySnapshot toSnapshot(long version, long parentVersion, long createdAtMs, boolean withOptimizer) {
    return new PolicySnapshot(version, parentVersion, createdAtMs, config,
        dataType == DataType.DOUBLE ? Precision.FLOAT64 : Precision.FLOAT32, params.toDoubleVector(),
        withOptimizer ? optimizer.state() : new double[0], withOptimizer ? optimizer.iteration() : 0);
  }

  /** Rebuilds the exact policy of a snapshot (a fresh optimiser if the snapshot has none). */
  public static GaussianPolicy fromSnapshot(PolicySnapshot snapshot) {
    DataType type = snapshot.precision() == Precision.FLOAT64 ? DataType.DOUBLE : DataType.FLOAT;
    GaussianPolicy policy = new GaussianPolicy(snapshot.config(), type, 0);
    policy.params.assign(Nd4j.createFromArray(snapshot.parameters()).castTo(type));
    if (snapshot.hasOptimizerState()) {
      policy.optimizer.restore(snapshot.optimizerState(), snapshot.optimizerIteration());
    }
    return policy;
  }

  /** A new policy with the same config, parameters and optimiser state. */
  public static GaussianPolicy copyOf(GaussianPolicy other) {
    GaussianPolicy copy = new GaussianPolicy(other.config, other.dataType, 0);
    copy.copyFrom(other);
    return copy;
  }

  /** Copies parameters and optimiser state from a policy of the same config. */
  public void copyFrom(GaussianPolicy other) {
    if (!config.equals(other.config)) {
      throw new IllegalArgumentException("cannot copy a policy with a different config");
    }
    params.assign(other.params);
    optimizer.copyFrom(other.optimizer);
  }

  /** The work buffers, as tall as the largest batch so far (a smaller batch uses the first rows). */
  private Buffers buffers(int n) {
    if (buffers == null || buffers.muGrad.size(0) < n) {
      buffers = allocate(n);
      muGradViews.clear();
    }
    return buffers;
  }

  private Buffers allocate(long n) {
    Buffers b = new Buffers();
    int size = (int) n * config.actionDim();
    b.muHost = new double[size];
    b.actionHost = new double[size];
    b.z = new double[size];
    b.muGradHost = new double[size];
    b.muGrad = Nd4j.create(dataType, n, config.actionDim());
    return b;
  }

  /** Host copies of mu, a, z and d mu, and the d mu array the backward pass reads, for up to a number of rows. */
  private static final class Buffers {
    INDArray mu;
    INDArray muGrad;
    double[] muHost;
    double[] actionHost;
    double[] z;
    double[] muGradHost;
    double muNormSquared;
    double meanLogSigma;
  }
}
