package dev.drpo.model.learn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.model.objective.Bc;
import dev.drpo.model.policy.GaussianPolicy;
import dev.drpo.model.policy.PolicyConfig;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class PolicyLearnerTest {
  static final PolicyConfig SMALL = new PolicyConfig(4, new int[] {8, 8}, 3, -5, 1, -1, 1e-2);

  @Test
  void aBatchWithNaNStatesIsRejectedAndChangesNothing() {
    PolicyLearner learner = new PolicyLearner(new GaussianPolicy(SMALL, DataType.FLOAT, 1), new Bc(), DivergenceGuard.defaults());
    learner.step(batch(1, 1.0f));
    INDArray before = learner.policy().params().dup();
    Batch poisoned = batch(2, Float.NaN);

    StepResult result = learner.step(poisoned);

    assertThat(result.accepted()).isFalse();
    assertThat(result.rejection()).isEqualTo("non-finite policy output (bad input)");
    assertThat(learner.policy().params()).isEqualTo(before);
    assertThat(learner.guard().rejected()).isEqualTo(1);
    assertThat(learner.step(batch(3, 1.0f)).accepted()).isTrue();
  }

  @Test
  void poisonedParametersAreRolledBackToTheLastGoodOnes() {
    PolicyLearner learner = new PolicyLearner(new GaussianPolicy(SMALL, DataType.FLOAT, 1), new Bc(), DivergenceGuard.defaults());
    learner.step(batch(1, 1.0f));
    learner.step(batch(2, 1.0f));
    INDArray good = learner.lastGood().params().dup();
    learner.policy().params().putScalar(0, Float.NaN);

    StepResult result = learner.step(batch(3, 1.0f));

    assertThat(result.accepted()).isFalse();
    assertThat(learner.policy().params()).isEqualTo(good);
    assertThat(learner.lastGood().params()).isEqualTo(good);
  }

  @Test
  void verifiedParametersBecomeTheLastGoodOnesAndFailingOnesAreRolledBack() {
    PolicyLearner learner = new PolicyLearner(new GaussianPolicy(SMALL, DataType.FLOAT, 1), new Bc(), DivergenceGuard.defaults());
    INDArray initial = learner.policy().params().dup();
    learner.step(batch(1, 1.0f));
    assertThat(learner.lastGood().params()).as("one step behind until checked").isEqualTo(initial);

    assertThat(learner.verify(batch(1, 1.0f))).isNull();
    INDArray stepped = learner.policy().params().dup();
    assertThat(learner.lastGood().params()).isEqualTo(stepped).isNotEqualTo(initial);

    learner.step(batch(2, 1.0f));
    learner.policy().params().putScalar(0, Float.NaN);
    assertThat(learner.verify(batch(2, 1.0f))).isEqualTo("non-finite parameters");
    assertThat(learner.policy().params()).isEqualTo(stepped);
    assertThat(learner.guard().rejected()).isEqualTo(1);
  }

  @Test
  void verifyingOnABadInputBatchKeepsTheStepAsAStepOnItWould() {
    PolicyLearner learner = new PolicyLearner(new GaussianPolicy(SMALL, DataType.FLOAT, 1), new Bc(), DivergenceGuard.defaults());
    learner.step(batch(1, 1.0f));
    INDArray stepped = learner.policy().params().dup();

    assertThat(learner.verify(batch(2, Float.NaN))).as("bad input says nothing about the parameters").isNull();
    assertThat(learner.policy().params()).as("the step is not undone").isEqualTo(stepped);
    assertThat(learner.guard().rejected()).isZero();
    assertThat(learner.verify(batch(3, 1.0f))).isNull();
    assertThat(learner.lastGood().params()).as("checked on a real batch").isEqualTo(stepped);
  }

  @Test
  void aStepWithANaNRewardIsRejectedByItsLoss() {
    PolicyLearner learner = new PolicyLearner(new GaussianPolicy(SMALL, DataType.FLOAT, 1), new dev.drpo.model.objective.Apg(), DivergenceGuard.defaults());
    Batch batch = batch(1, 1.0f);
    batch.rewards()[3] = Double.NaN;
    INDArray before = learner.policy().params().dup();

    StepResult result = learner.step(batch);

    assertThat(result.accepted()).isFalse();
    assertThat(result.rejection()).isEqualTo("non-finite loss");
    assertThat(learner.policy().params()).isEqualTo(before);
  }

  @Test
  void anExplodingOutputIntensityIsRejected() {
    GaussianPolicy policy = new GaussianPolicy(SMALL, DataType.FLOAT, 1);
    PolicyLearner learner = new PolicyLearner(policy, new Bc(), new DivergenceGuard(5.0, 1e6));
    assertThat(learner.step(batch(1, 1.0f)).accepted()).isTrue();

    StepResult result = learner.step(batch(2, 1000.0f));

    assertThat(result.accepted()).isFalse();
    assertThat(result.rejection()).startsWith("output intensity");
  }

  @Test
  void aFiniteStepMovesTheParameters() {
    PolicyLearner learner = new PolicyLearner(new GaussianPolicy(SMALL, DataType.FLOAT, 1), new Bc(), DivergenceGuard.defaults());
    INDArray before = learner.policy().params().dup();
    StepResult result = learner.step(batch(1, 1.0f));
    assertThat(result.accepted()).isTrue();
    assertThat(result.gradientNorm()).isPositive();
    assertThat(learner.policy().params()).isNotEqualTo(before);
  }

  /** 16 samples whose states are scaled by `scale` (NaN poisons them). */
  static Batch batch(long seed, float scale) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] s = new float[16][4];
    float[][] a = new float[16][3];
    double[] rewards = new double[16];
    for (int i = 0; i < 16; i++) {
      for (int j = 0; j < 4; j++) {
        s[i][j] = (float) r.nextDouble(-1, 1) * scale;
      }
      for (int j = 0; j < 3; j++) {
        a[i][j] = (float) r.nextDouble(-1, 1);
      }
      rewards[i] = r.nextDouble();
    }
    return Batch.of(s, a, rewards, DataType.FLOAT);
  }
}
