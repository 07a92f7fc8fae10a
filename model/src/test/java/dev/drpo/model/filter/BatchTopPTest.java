package dev.drpo.model.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchTopPTest {

  @Test
  void keepsIntOfNTimesPOfTheHighestRewards() {
    double[] rewards = new SplittableRandom(1).doubles(320).toArray();
    BatchTopP filter = new BatchTopP(KeepFractionController.paper());

    Admission a = filter.admit(rewards);

    assertThat(a.kept()).hasSize(160);
    assertThat(a.keepFraction()).isEqualTo(0.5);
    double[] sorted = rewards.clone();
    Arrays.sort(sorted);
    assertThat(a.threshold()).isEqualTo(sorted[160]);
    for (int i = 0; i < rewards.length; i++) {
      boolean kept = Arrays.binarySearch(a.kept(), i) >= 0;
      assertThat(kept).as("sample %d with reward %s", i, rewards[i]).isEqualTo(rewards[i] >= a.threshold());
    }
  }

  @Test
  void keepCountFollowsTheControllerFromTheNextBatchOn() {
    BatchTopP filter = new BatchTopP(KeepFractionController.paper());
    double[] rewards = new SplittableRandom(2).doubles(320).toArray();
    filter.admit(rewards);
    double p = filter.controller().keepFraction();
    assertThat(filter.admit(rewards).kept()).hasSize((int) (320 * p));
  }

  @Test
  void tiesAtTheThresholdKeepExactlyKEarlierSamplesFirst() {
    BatchTopP filter = new BatchTopP(new KeepFractionController(0.5, 0.5, 0.05, 1));
    Admission a = filter.admit(new double[] {0.2, 0.7, 0.5, 0.5, 0.5, 0.1});
    assertThat(a.kept()).containsExactly(1, 2, 3);
    assertThat(a.threshold()).isEqualTo(0.5);
  }

  @Test
  void neverKeepsFewerThanTwo() {
    BatchTopP filter = new BatchTopP(new KeepFractionController(0.05, 0.5, 0.05, 1));
    assertThat(filter.admit(new double[] {0.1, 0.9, 0.3, 0.4, 0.5}).kept()).containsExactly(1, 4);
    assertThat(filter.admit(new double[] {0.3}).kept()).containsExactly(0);
  }
}
