package dev.drpo.model.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.File;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GaussianPolicyTest {
  static final PolicyConfig SMALL = new PolicyConfig(5, new int[] {7, 6}, 3, -5, 1, -0.3, 1e-3);
  static final double[] COEFFICIENTS = {0.5, -0.2, 0.0, 1.3, 0.7, -1.1};

  @Test
  void logLikelihoodIsTheClosedFormGaussianDensity() {
    GaussianPolicy policy = new GaussianPolicy(SMALL, DataType.DOUBLE, 1);
    Samples b = Samples.random(4, SMALL, 2, DataType.DOUBLE);
    double[] logPi = policy.evaluate(b.states, b.actions);
    INDArray mu = policy.mean(b.states);
    double[] logSigma = policy.logSigma().toDoubleVector();
    for (int i = 0; i < 4; i++) {
      double expected = 0;
      for (int j = 0; j < 3; j++) {
        double sigma = Math.exp(logSigma[j]);
        double diff = b.actions.getDouble(i, j) - mu.getDouble(i, j);
        expected += -0.5 * diff * diff / (sigma * sigma) - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI);
      }
      assertThat(logPi[i]).isCloseTo(expected, within(1e-12));
    }
  }

  @Test
  void weightedLogLikelihoodGradientMatchesFiniteDifferences() {
    GaussianPolicy policy = new GaussianPolicy(SMALL, DataType.DOUBLE, 3);
    Samples b = Samples.random(6, SMALL, 4, DataType.DOUBLE);
    policy.evaluate(b.states, b.actions);
    policy.backward(COEFFICIENTS);
    double[] analytic = policy.grads().toDoubleVector();
    double[] numeric = FiniteDifferences.gradient(policy.params(), () -> weightedNll(policy, b, COEFFICIENTS));
    FiniteDifferences.assertClose(analytic, numeric);
  }

  @Test
  void handWrittenGradientMatchesTheSameDiffOracle() {
    GaussianPolicy policy = new GaussianPolicy(SMALL, DataType.DOUBLE, 5);
    Samples b = Samples.random(6, SMALL, 6, DataType.DOUBLE);
    policy.evaluate(b.states, b.actions);
    policy.backward(COEFFICIENTS);

    INDArray oracle = new SameDiffGaussianPolicy(policy).gradient(b.states, b.actions, COEFFICIENTS);

    FiniteDifferences.assertClose(policy.grads().toDoubleVector(), oracle.toDoubleVector());
  }

  static final PolicyConfig LINEAR = SMALL.withBackbone(PolicyConfig.Backbone.MLP_LINEAR);

  /**
   * The job's default shape, one small hidden layer beside the linear path, at a size where ND4J
   * M2.1 returns an empty array for an interval of the parameter view (the SameDiff oracle failed so).
   */
  static final PolicyConfig LINEAR_ONE_HIDDEN = new PolicyConfig(32, new int[] {8}, 32, -5, 1, -0.3, 1e-3,
      PolicyConfig.Backbone.MLP_LINEAR);

  static GaussianPolicy withRandomLinearPath(DataType type, long seed) {
    return withRandomLinearPath(LINEAR, type, seed);
  }

  /** A policy with a random linear path and its output layer at Xavier's scale (as after some training). */
  static GaussianPolicy withRandomLinearPath(PolicyConfig config, DataType type, long seed) {
    GaussianPolicy policy = new GaussianPolicy(config, type, seed);
    policy.meanNetwork().weight(config.meanNetworkSizes().length - 2).divi(Mlp.OUTPUT_SCALE_WITH_LINEAR_PATH);
    INDArray l = policy.meanNetwork().linearPath();
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < l.rows(); i++) {
      for (int j = 0; j < l.columns(); j++) {
        l.putScalar(i, j, r.nextGaussian() * 0.3);
      }
    }
    return policy;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void theLinearPathsGradientMatchesFiniteDifferencesAndTheSameDiffOracle(int hiddenLayers) {
    PolicyConfig config = hiddenLayers == 1 ? LINEAR_ONE_HIDDEN : LINEAR;
    GaussianPolicy policy = withRandomLinearPath(config, DataType.DOUBLE, 3);
    Samples b = Samples.random(6, config, 4, DataType.DOUBLE);
    policy.evaluate(b.states, b.actions);
    policy.backward(COEFFICIENTS);
    double[] analytic = policy.grads().toDoubleVector();

    FiniteDifferences.assertClose(analytic, FiniteDifferences.gradient(policy.params(), () -> weightedNll(policy, b, COEFFICIENTS)));
    FiniteDifferences.assertClose(analytic,
        new SameDiffGaussianPolicy(policy).gradient(b.states, b.actions, COEFFICIENTS).toDoubleVector());
  }

  @Test
  void theLinearPathStartsAtZeroBesideAnMlpWhoseOutputLayerStartsSmallAndAddsItsMapOfTheState() {
    GaussianPolicy linear = new GaussianPolicy(LINEAR, DataType.DOUBLE, 9);
    GaussianPolicy mlp = new GaussianPolicy(SMALL, DataType.DOUBLE, 9);
    Samples b = Samples.random(4, SMALL, 5, DataType.DOUBLE);
    assertThat(LINEAR.parameterCount()).isEqualTo(SMALL.parameterCount() + (5 + 1) * 3);
    INDArray small = mlp.mean(b.states).mul(Mlp.OUTPUT_SCALE_WITH_LINEAR_PATH);
    assertThat(linear.mean(b.states).equalsWithEps(small, 1e-12)).as("the same MLP, its output layer 100 times smaller").isTrue();

    INDArray l = linear.meanNetwork().linearPath();
    l.putScalar(0, 1, 2.0);
    l.putScalar(5, 2, -1.0);
    INDArray expected = small.dup();
    expected.getColumn(1).addi(b.states.getColumn(0).mul(2.0));
    expected.getColumn(2).subi(1.0);
    assertThat(linear.mean(b.states).equalsWithEps(expected, 1e-12)).isTrue();
    assertThatThrownBy(() -> MeanNetworkExport.toMultiLayerNetwork(linear)).hasMessageContaining("only the MLP backbone exports");
  }

  @Test
  void logSigmaStaysInsideItsClampWhateverTheGradient() {
    Samples far = Samples.random(6, SMALL, 2, DataType.FLOAT);
    far.actions.muli(100);
    assertThat(logSigmaAfterPushing(far, +1.0)).as("attracted to far actions: widen").isEqualTo(SMALL.logSigmaMax(), within(1e-6));
    assertThat(logSigmaAfterPushing(far, -1.0)).as("repelled from far actions: narrow").isEqualTo(SMALL.logSigmaMin(), within(1e-6));
  }

  private static double logSigmaAfterPushing(Samples b, double c) {
    GaussianPolicy policy = new GaussianPolicy(SMALL.withLearningRate(1.0), DataType.FLOAT, 1);
    for (int step = 0; step < 30; step++) {
      policy.evaluate(b.states, b.actions);
      policy.backward(new double[] {c, c, c, c, c, c});
      policy.applyGradient();
      assertThat(policy.logSigma().maxNumber().doubleValue()).isLessThanOrEqualTo(SMALL.logSigmaMax());
      assertThat(policy.logSigma().minNumber().doubleValue()).isGreaterThanOrEqualTo(SMALL.logSigmaMin());
    }
    return policy.meanLogSigma();
  }

  @Test
  void meanNetworkExportsToAStandardDl4jModelFileAndLoadsBack(@TempDir Path dir) throws Exception {
    GaussianPolicy policy = new GaussianPolicy(SMALL, DataType.FLOAT, 9);
    Samples b = Samples.random(4, SMALL, 10, DataType.FLOAT);
    INDArray mu = policy.mean(b.states).dup();
    File file = dir.resolve("mean.zip").toFile();

    MeanNetworkExport.write(policy, file);
    MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file);
    GaussianPolicy other = new GaussianPolicy(SMALL, DataType.FLOAT, 123);
    MeanNetworkExport.load(file, other);

    assertThat(restored.output(b.states).equalsWithEps(mu, 1e-5)).isTrue();
    assertThat(other.mean(b.states).equalsWithEps(mu, 1e-6)).isTrue();
  }

  @Test
  void workBuffersAreHeldForTheLargestBatchOnlyAndSmallerBatchesComputeTheSame() {
    GaussianPolicy streaming = new GaussianPolicy(SMALL, DataType.FLOAT, 3);
    for (int n = 1; n <= 40; n++) {
      Samples b = Samples.random(n, SMALL, n, DataType.FLOAT);
      streaming.evaluate(b.states, b.actions);
      streaming.backward(new double[n]);
    }
    assertThat(streaming.bufferedRows()).isEqualTo(40);
    assertThat(streaming.meanNetwork().bufferedRows()).isEqualTo(40);

    Samples seven = Samples.random(7, SMALL, 5, DataType.FLOAT);
    double[] c = {0.5, -0.2, 0.0, 1.3, 0.7, -1.1, 0.4};
    GaussianPolicy fresh = new GaussianPolicy(SMALL, DataType.FLOAT, 3);
    assertThat(streaming.evaluate(seven.states, seven.actions)).isEqualTo(fresh.evaluate(seven.states, seven.actions));
    streaming.backward(c);
    fresh.backward(c);
    assertThat(streaming.grads()).isEqualTo(fresh.grads());
    assertThat(streaming.mean(seven.states)).isEqualTo(fresh.mean(seven.states));
  }

  static double weightedNll(GaussianPolicy policy, Samples b, double[] c) {
    double[] logPi = policy.evaluate(b.states, b.actions);
    double loss = 0;
    for (int i = 0; i < c.length; i++) {
      loss -= c[i] * logPi[i];
    }
    return loss;
  }

  /** Random states and actions in [-1, 1]. */
  record Samples(INDArray states, INDArray actions) {
    static Samples random(int n, PolicyConfig config, long seed, DataType type) {
      SplittableRandom r = new SplittableRandom(seed);
      double[] s = new double[n * config.stateDim()];
      double[] a = new double[n * config.actionDim()];
      for (int i = 0; i < s.length; i++) {
        s[i] = r.nextDouble(-1, 1);
      }
      for (int i = 0; i < a.length; i++) {
        a[i] = r.nextDouble(-1, 1);
      }
      return new Samples(Nd4j.create(s, new long[] {n, config.stateDim()}, type),
          Nd4j.create(a, new long[] {n, config.actionDim()}, type));
    }
  }
}
