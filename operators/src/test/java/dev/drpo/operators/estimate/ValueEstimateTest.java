package dev.drpo.operators.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ValueEstimateTest {

  @Test
  void shouldBeTheServedMeanWhenTheNewMixIsTheOneThatServed() {
    int n = 40;
    double[] p = new double[n];
    double[] reward = new double[n];
    for (int i = 0; i < n; i++) {
      p[i] = new double[] {0.9, 0.05, 0.9, 0.3}[i % 4];
      reward[i] = new double[] {1, 0, 0.5, 0.25}[i % 4];
    }

    ValueEstimate e = ValueEstimate.doublyRobust(p, p, reward, new double[n], n);

    assertThat(e.reward).isCloseTo(0.4375, within(1e-12));
    assertThat(e.servedReward).isCloseTo(0.4375, within(1e-12));
    assertThat(e.effectiveAnswers).isCloseTo(n, within(1e-9));
    assertThat(e.answers).isEqualTo(n);
    assertThat(e.low).isLessThan(e.reward);
    assertThat(e.high).isGreaterThan(e.reward);
  }

  /** Ten arms shown uniformly, each with its own mean reward; the new policy always shows arm 3. */
  @Test
  void shouldRecoverWhatAnotherPolicyWouldEarnFromUniformlyLoggedAnswers() {
    double[] means = {0.1, 0.2, 0.3, 0.9, 0.4, 0.5, 0.2, 0.1, 0.3, 0.6};
    int covered = 0;
    double sum = 0;
    for (int run = 0; run < 40; run++) {
      SplittableRandom random = new SplittableRandom(run);
      int n = 2_000;
      double[] target = new double[n];
      double[] logged = new double[n];
      double[] reward = new double[n];
      for (int i = 0; i < n; i++) {
        int arm = random.nextInt(10);
        logged[i] = 0.1;
        target[i] = arm == 3 ? 1 : 0;
        reward[i] = means[arm] + 0.2 * random.nextGaussian();
      }
      ValueEstimate e = ValueEstimate.doublyRobust(target, logged, reward, new double[n], n);
      assertThat(e.reward).isCloseTo(0.9, within(0.07)); // 5 standard errors of 200 answers with noise 0.2
      sum += e.reward;
      assertThat(e.servedReward).as("the uniform policy's mean").isCloseTo(Arrays.stream(means).average().orElseThrow(), within(0.03));
      assertThat(e.effectiveAnswers).as("the answers that showed arm 3").isBetween(150.0, 250.0);
      if (e.low <= 0.9 && 0.9 <= e.high) {
        covered++;
      }
    }
    assertThat(sum / 40).as("unbiased").isCloseTo(0.9, within(0.01));
    assertThat(covered).as("runs of 40 whose 95% interval holds the truth").isBetween(34, 40);
  }

  /**
   * Easy users earn 0.8 whatever they are shown, hard ones 0.2; arm 3 adds 0.1 for both. The new
   * policy always shows arm 3: it earns 0.6. The answers that showed arm 3 are a random mix of easy
   * and hard users, which is what the estimate without a baseline mostly measures.
   */
  @Test
  void shouldTakeTheDifferenceBetweenEasyAndHardUsersOutOfWhatTheWeightsMultiply() {
    double errorWithout = 0;
    double errorWith = 0;
    for (int run = 0; run < 40; run++) {
      SplittableRandom random = new SplittableRandom(run);
      int n = 2_000;
      double[] target = new double[n];
      double[] logged = new double[n];
      double[] reward = new double[n];
      double[] baseline = new double[n];
      for (int i = 0; i < n; i++) {
        boolean easy = random.nextBoolean();
        int arm = random.nextInt(10);
        logged[i] = 0.1;
        target[i] = arm == 3 ? 1 : 0;
        reward[i] = (easy ? 0.8 : 0.2) + (arm == 3 ? 0.1 : 0) + 0.05 * random.nextGaussian();
        baseline[i] = (easy ? 0.8 : 0.2) + 0.01; // what the uniform policy earns in that state
      }
      ValueEstimate without = ValueEstimate.doublyRobust(target, logged, reward, new double[n], n);
      ValueEstimate with = ValueEstimate.doublyRobust(target, logged, reward, baseline, n);
      assertThat(with.reward).isCloseTo(0.6, within(0.03));
      assertThat(with.high - with.low).isLessThan((without.high - without.low) / 2);
      errorWithout += Math.abs(without.reward - 0.6);
      errorWith += Math.abs(with.reward - 0.6);
    }
    assertThat(errorWith).isLessThan(errorWithout / 2);
  }

  @Test
  void shouldGiveNoIntervalWhenAFewAnswersCarryTheEstimate() {
    double[] target = {1, 0.01, 0.01, 0.01};
    double[] logged = {0.001, 0.5, 0.5, 0.5};
    double[] reward = {0.9, 0.1, 0.2, 0.3};

    ValueEstimate e = ValueEstimate.doublyRobust(target, logged, reward, new double[4], 4);

    assertThat(e.effectiveAnswers).isLessThan(ValueEstimate.MIN_EFFECTIVE_FOR_INTERVAL);
    assertThat(e.reward).isCloseTo(0.9, within(0.01));
    assertThat(e.low).isNaN();
    assertThat(e.high).isNaN();
  }

  @Test
  void shouldGiveNoEstimateWhenTheNewMixWouldShowNoneOfTheLoggedItems() {
    ValueEstimate e = ValueEstimate.doublyRobust(new double[] {0, 0}, new double[] {0.5, 0.5}, new double[] {1, 0}, new double[2], 2);

    assertThat(e.reward).isNaN();
    assertThat(e.low).isNaN();
    assertThat(e.effectiveAnswers).isZero();
    assertThat(e.servedReward).isEqualTo(0.5);
  }

  @Test
  void shouldRejectAnAnswerLoggedWithNoProbability() {
    assertThatThrownBy(() -> ValueEstimate.doublyRobust(new double[] {1}, new double[] {0}, new double[] {1}, new double[1], 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logged 0.0 > 0");
  }
}
