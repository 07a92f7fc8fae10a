package dev.drpo.model.policy;

import java.util.HashMap;
import java.util.Map;
import dev.drpo.model.snapshot.PolicySnapshot;
import dev.drpo.model.snapshot.PolicySnapshot.Precision;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMax;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMin;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The policy pi(a|s) = N(mu(s), diag(sigma^2)) over the item-embedding space (DRPO.md section 4):
 * mu is an {@link Mlp}, log sigma a learned vector clamped to [logSigmaMin, logSigmaMax] after
 * every update (a projected gradient step, so log pi and its gradient stay exact inside the box).
 *
 * <p>All parameters (mean network, then log sigma) sit in one flat vector, trained by one
 * {@link FlatAdam}. A training step is {@link #evaluate} (forward, log pi per sample), then
 * {@link #backward} with per-sample coefficients c_i for the loss -sum_i c_i log pi(a_i|s_i),
 * then {@link #applyGradient}. Every objective in this product is such a weighted log-likelihood.
 */
public final class GaussianPolicy {
  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

  private final PolicyConfig config;
  private final DataType dataType;
  private final INDArray params;
  private final INDArray grads;
  private final Mlp mean;
  private final INDArray logSigma;
  private final INDArray logSigmaGrad;
  private final INDArray negInvSigma;
  private final FlatAdam optimizer;
  private Buffers last;
  private final Map<Long, Buffers> buffers = new HashMap<>();

  public GaussianPolicy(PolicyConfig config, DataType dataType, long seed) {
    this.config = config;
    this.dataType = dataType;
    int n = config.parameterCount();
    int meanCount = n - config.actionDim();
    params = Nd4j.zeros(dataType, n);
    grads = Nd4j.zeros(dataType, n);
    mean = new Mlp(config.meanNetworkSizes(), params.get(NDArrayIndex.interval(0, meanCount)),
        grads.get(NDArrayIndex.interval(0, meanCount)));
    logSigma = Mlp.matrixView(params, meanCount, 1, config.actionDim());
    logSigmaGrad = Mlp.matrixView(grads, meanCount, 1, config.actionDim());
    negInvSigma = Nd4j.zeros(dataType, 1, config.actionDim());
    optimizer = new FlatAdam(config.learningRate(), n, dataType);
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
    Buffers b = buffers.computeIfAbsent(states.size(0), this::allocate);
    INDArray mu = mean.forward(states);
    b.mu = mu;
    Nd4j.exec(new Exp(logSigma, negInvSigma));
    negInvSigma.rdivi(-1.0);
    // z = (a - mu) / sigma = (mu - a) * (-1/sigma)
    mu.sub(actions, b.z);
    b.z.muliRowVector(negInvSigma);
    b.z.mul(b.z, b.zSquared);
    Blas.gemm(b.zSquared, b.onesD, b.rowSums, false, false, 1.0, 0.0);
    double constant = logSigma.sumNumber().doubleValue() + config.actionDim() * HALF_LOG_TWO_PI;
    double[] squares = b.rowSums.toDoubleVector();
    double[] logPi = new double[squares.length];
    for (int i = 0; i < logPi.length; i++) {
      logPi[i] = -0.5 * squares[i] - constant;
    }
    b.muNormSquared = Nd4j.getBlasWrapper().dot(mu, mu);
    last = b;
    return logPi;
  }

  /**
   * Gradient of L = -sum_i c_i log pi(a_i|s_i) for the last {@link #evaluate} into {@link #grads()}:
   * dL/dmu_ij = -c_i (a_ij - mu_ij) / sigma_j^2, dL/dlogsigma_j = sum_i c_i (1 - z_ij^2).
   */
  public void backward(double[] coefficients) {
    Buffers b = last;
    double sum = 0;
    for (double c : coefficients) {
      sum += c;
    }
    b.coefficients.data().setData(coefficients);
    // dlogsigma = sum(c) - c^T z^2
    Blas.gemm(b.coefficients, b.zSquared, logSigmaGrad, true, false, -1.0, 0.0);
    logSigmaGrad.addi(sum);
    // dmu = -c * z / sigma = c * z * (-1/sigma)
    Nd4j.exec(new BroadcastMulOp(b.z, b.coefficients, b.muGrad, 0));
    b.muGrad.muliRowVector(negInvSigma);
    mean.backward(b.muGrad);
  }

  /** One Adam step on the gradient of the last {@link #backward}, then the log sigma clamp. */
  public void applyGradient() {
    optimizer.step(params, grads);
    Nd4j.exec(new ScalarMax(logSigma, config.logSigmaMin()));
    Nd4j.exec(new ScalarMin(logSigma, config.logSigmaMax()));
  }

  /** mu of the last {@link #evaluate}; a buffer the next forward of that batch size overwrites. */
  public INDArray lastMean() {
    return last.mu;
  }

  /** Root-mean-square norm of mu over the last evaluated batch: the policy's output intensity. */
  public double lastMeanNorm() {
    return Math.sqrt(last.muNormSquared / last.z.size(0));
  }

  public double meanLogSigma() {
    return logSigma.meanNumber().doubleValue();
  }

  /**
   * This policy's numbers as a snapshot; with {@code withOptimizer} false only what serving needs.
   */
  public PolicySnapshot toSnapshot(long version, long parentVersion, long createdAtMs, boolean withOptimizer) {
    return new PolicySnapshot(version, parentVersion, createdAtMs, config,
        dataType == DataType.DOUBLE ? Precision.FLOAT64 : Precision.FLOAT32, params.toDoubleVector(),
        withOptimizer ? optimizer.state().toDoubleVector() : new double[0], withOptimizer ? optimizer.iteration() : 0);
  }

  /** Rebuilds the exact policy of a snapshot (a fresh optimiser if the snapshot has none). */
  public static GaussianPolicy fromSnapshot(PolicySnapshot snapshot) {
    DataType type = snapshot.precision() == Precision.FLOAT64 ? DataType.DOUBLE : DataType.FLOAT;
    GaussianPolicy policy = new GaussianPolicy(snapshot.config(), type, 0);
    policy.params.assign(Nd4j.createFromArray(snapshot.parameters()).castTo(type));
    if (snapshot.hasOptimizerState()) {
      policy.optimizer.state().assign(Nd4j.createFromArray(snapshot.optimizerState()).castTo(type));
      policy.optimizer.setIteration(snapshot.optimizerIteration());
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
    optimizer.state().assign(other.optimizer.state());
    optimizer.setIteration(other.optimizer.iteration());
  }

  private Buffers allocate(long n) {
    Buffers b = new Buffers();
    int d = config.actionDim();
    b.z = Nd4j.create(dataType, n, d);
    b.zSquared = Nd4j.create(dataType, n, d);
    b.muGrad = Nd4j.create(dataType, n, d);
    b.rowSums = Nd4j.create(dataType, n, 1);
    b.coefficients = Nd4j.create(dataType, n, 1);
    b.onesD = Nd4j.ones(dataType, d, 1);
    return b;
  }

  private static final class Buffers {
    INDArray z;
    INDArray zSquared;
    INDArray muGrad;
    INDArray rowSums;
    INDArray coefficients;
    INDArray onesD;
    INDArray mu;
    double muNormSquared;
  }
}
