package dev.drpo.model.objective;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.model.filter.BatchTopP;
import dev.drpo.model.filter.KeepFractionController;
import dev.drpo.model.learn.Batch;
import dev.drpo.model.policy.GaussianPolicy;
import dev.drpo.model.policy.PolicyConfig;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DrpoTest {
  static final PolicyConfig SMALL = ObjectiveGradientTest.SMALL;

  @Test
  void weightsAreNonNegativeAndOnlyTheAdmittedTopShareHasAny() {
    Batch batch = ObjectiveGradientTest.batch(40, 1);
    Weights w = drpo().weigh(batch, new double[40], null);

    assertThat(w.admitted()).isEqualTo(20);
    assertThat(Arrays.stream(w.coefficients()).min().orElseThrow()).isGreaterThanOrEqualTo(0);
    for (int i = 0; i < 40; i++) {
      if (batch.rewards()[i] < w.threshold()) {
        assertThat(w.coefficients()[i]).isZero();
      }
    }
  }

  @Test
  void droppedSamplesContributeExactlyZeroGradient() {
    Batch batch = ObjectiveGradientTest.batch(40, 2);
    double[] c = drpo().weigh(batch, new double[40], null).coefficients();
    double[] gradient = gradient(batch, c);

    // move every dropped sample somewhere else entirely: the gradient must not change by one bit
    INDArray states = batch.states().dup();
    INDArray actions = batch.actions().dup();
    for (int i = 0; i < 40; i++) {
      if (c[i] == 0) {
        states.getRow(i).assign(Nd4j.rand(DataType.DOUBLE, SMALL.stateDim()).muli(50));
        actions.getRow(i).assign(Nd4j.rand(DataType.DOUBLE, SMALL.actionDim()).muli(-50));
      }
    }
    assertThat(gradient(new Batch(states, actions, batch.rewards()), c)).isEqualTo(gradient);
  }

  @Test
  void equalAdmittedRewardsGiveZeroWeightsNotNaN() {
    double[] rewards = new double[10];
    Arrays.fill(rewards, 0.3);
    Batch batch = new Batch(Nd4j.zeros(DataType.DOUBLE, 10, SMALL.stateDim()), Nd4j.zeros(DataType.DOUBLE, 10, SMALL.actionDim()), rewards);
    assertThat(drpo().weigh(batch, new double[10], null).coefficients()).containsOnly(0.0);
  }

  @Test
  void drpoExpWeightsAreASoftmaxOverTheAdmittedSamples() {
    Batch batch = ObjectiveGradientTest.batch(40, 3);
    Weights w = new DrpoExp(new BatchTopP(KeepFractionController.paper()), DrpoExp.PAPER_BETA).weigh(batch, new double[40], null);
    assertThat(Arrays.stream(w.coefficients()).sum()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(Arrays.stream(w.coefficients()).filter(x -> x > 0).count()).isEqualTo(20);
  }

  private static Drpo drpo() {
    return new Drpo("DRPO", new BatchTopP(KeepFractionController.paper()));
  }

  private static double[] gradient(Batch batch, double[] c) {
    GaussianPolicy policy = new GaussianPolicy(SMALL, DataType.DOUBLE, 4);
    policy.evaluate(batch.states(), batch.actions());
    policy.backward(c);
    return policy.grads().toDoubleVector();
  }
}
