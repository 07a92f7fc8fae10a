package dev.drpo.model.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GaussianPolicyTest {
  static final PolicyConfig SMALL = new PolicyConfig(5, new int[] {7, 6}, 3, -5, 1, -0.3, 1e-3);

  @Test
  void logLikelihoodIsTheClosedFormGaussianDensity() {
    GaussianPolicy policy = new GaussianPolicy(SMALL, DataType.DOUBLE, 1);
    Batch b = Batch.random(4, SMALL, 2);
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
    Batch b = Batch.random(6, SMALL, 4);
    double[] c = {0.5, -0.2, 0.0, 1.3, 0.7, -1.1};
    policy.evaluate(b.states, b.actions);
    policy.backward(c);
    double[] analytic = policy.grads().toDoubleVector();
    double[] numeric = FiniteDifferences.gradient(policy.params(), () -> weightedNll(policy, b, c));
    FiniteDifferences.assertClose(analytic, numeric);
  }

  static double weightedNll(GaussianPolicy policy, Batch b, double[] c) {
    double[] logPi = policy.evaluate(b.states, b.actions);
    double loss = 0;
    for (int i = 0; i < c.length; i++) {
      loss -= c[i] * logPi[i];
    }
    return loss;
  }

  record Batch(INDArray states, INDArray actions) {
    static Batch random(int n, PolicyConfig config, long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      double[] s = new double[n * config.stateDim()];
      double[] a = new double[n * config.actionDim()];
      for (int i = 0; i < s.length; i++) s[i] = r.nextDouble(-1, 1);
      for (int i = 0; i < a.length; i++) a[i] = r.nextDouble(-1, 1);
      return new Batch(Nd4j.create(s, new long[] {n, config.stateDim()}, DataType.DOUBLE),
          Nd4j.create(a, new long[] {n, config.actionDim()}, DataType.DOUBLE));
    }
  }
}
