package dev.drpo.model.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PolicyMeanTest {
  @ParameterizedTest
  @EnumSource(PolicyConfig.Backbone.class)
  void shouldServeTheSameMeanAsTheTrainedNetwork(PolicyConfig.Backbone backbone) {
    PolicyConfig config = new PolicyConfig(9, new int[] {7, 6}, 4, -5, 1, -0.3, 1e-3).withBackbone(backbone);
    GaussianPolicy policy = new GaussianPolicy(config, DataType.FLOAT, 3);
    SplittableRandom r = new SplittableRandom(11);
    INDArray params = policy.params();
    for (long i = 0; i < params.length(); i++) { // every parameter away from its start (the linear path starts at zero)
      params.putScalar(i, r.nextDouble(-1, 1));
    }
    int rows = 5;
    float[] states = new float[rows * 9];
    for (int i = 0; i < states.length; i++) {
      states[i] = i % 4 == 0 ? 0f : (float) r.nextDouble(-2, 2); // zeros, as the empty steps of a short session
    }
    float[] expected = policy.mean(Nd4j.create(states, new long[] {rows, 9}, 'c')).dup('c').data().asFloat();

    float[] mu = PolicyMean.of(policy).apply(states, rows);

    assertThat(mu).hasSize(rows * 4);
    for (int i = 0; i < mu.length; i++) {
      assertThat(mu[i]).as("mu[%d]", i).isCloseTo(expected[i], within(1e-4f * Math.max(1f, Math.abs(expected[i]))));
    }
  }
}
