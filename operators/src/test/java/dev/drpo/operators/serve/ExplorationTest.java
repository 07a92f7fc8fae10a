package dev.drpo.operators.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.drpo.model.catalog.ItemCatalog.Ranking;
import dev.drpo.operators.serve.Exploration.Choice;
import dev.drpo.operators.serve.Exploration.Mode;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ExplorationTest {
  static final Exploration SOFTMAX = new Exploration(Mode.SOFTMAX, 1, 1, 0.1, 6);
  /** Eight candidates nearest the mean, best first (more than the softmax draws from). */
  static final Ranking CANDIDATES = new Ranking(new int[8],
      new String[] {"a", "b", "c", "d", "e", "f", "g", "h"}, new float[] {0.9f, 0.85f, 0.8f, 0.6f, 0.5f, 0.2f, 0.1f, 0.0f});

  @Test
  void shouldGiveEachCandidateAFirstDrawProbabilityThatSumsToOneAndFavoursTheNearest() {
    double[] p = SOFTMAX.firstDrawProbabilities(Arrays.copyOf(CANDIDATES.scores(), 6));

    assertThat(Arrays.stream(p).sum()).isCloseTo(1.0, within(1e-12));
    assertThat(p).isSortedAccordingTo((x, y) -> Double.compare(y, x));
    assertThat(p[0] / p[1]).as("exp(0.05 / 0.1)").isCloseTo(Math.exp(0.5), within(1e-6));
  }

  @Test
  void shouldDrawTheFirstItemAsOftenAsItsPropensitySays() {
    double[] p = SOFTMAX.firstDrawProbabilities(Arrays.copyOf(CANDIDATES.scores(), 6));
    List<String> ids = Arrays.asList(CANDIDATES.ids());
    int[] first = new int[8];
    int draws = 40_000;
    for (int i = 0; i < draws; i++) {
      Choice c = SOFTMAX.draw(CANDIDATES, 3, Exploration.random("req-" + i, 9));
      int at = ids.indexOf(c.ids()[0]);
      first[at]++;
      assertThat(c.propensities()[0]).isCloseTo(p[at], within(1e-12));
    }
    for (int i = 0; i < 6; i++) {
      assertThat(first[i] / (double) draws).as("candidate " + i).isCloseTo(p[i], within(0.01));
    }
    assertThat(first[6] + first[7]).as("beyond the candidates").isZero();
  }

  @Test
  void shouldLogForEverySlotZeroItemTheProbabilityWithWhichTheServingMixShowsIt() {
    Exploration mix = new Exploration(Mode.SOFTMAX, 0.2, 1, 0.1, 6);
    List<String> ids = Arrays.asList(CANDIDATES.ids());
    int requests = 100_000;
    int[] shown = new int[8];
    double[] logged = new double[8];
    for (int i = 0; i < requests; i++) {
      SplittableRandom random = Exploration.random("req-" + i, 9);
      Choice c = mix.choose(CANDIDATES, 3, mix.explores(random) ? random : null);
      int at = ids.indexOf(c.ids()[0]);
      shown[at]++;
      logged[at] += c.propensities()[0];
    }
    for (int i = 0; i < 8; i++) {
      double frequency = shown[i] / (double) requests;
      double meanPropensity = shown[i] == 0 ? 0 : logged[i] / shown[i];
      assertThat(meanPropensity).as("candidate %d", i).isCloseTo(frequency, within(0.005));
    }
    assertThat(shown[0] / (double) requests).as("the exploit share and the draws of the top").isGreaterThan(0.8);
  }

  @Test
  void shouldGiveEachItemTheProbabilityThatTheServingMixShowsItFirst() {
    Exploration mix = new Exploration(Mode.SOFTMAX, 0.2, 1, 0.1, 6);
    double[] draw = mix.firstDrawProbabilities(Arrays.copyOf(CANDIDATES.scores(), 6));
    double[] first = Arrays.stream(CANDIDATES.ids()).mapToDouble(id -> mix.firstSlotProbability(CANDIDATES, 3, id)).toArray();

    assertThat(first[0]).as("the exploit share and the draws of the top").isCloseTo(0.8 + 0.2 * draw[0], within(1e-12));
    assertThat(first[3]).isCloseTo(0.2 * draw[3], within(1e-12));
    assertThat(first[6]).as("beyond the candidates").isZero();
    assertThat(Arrays.stream(first).sum()).isCloseTo(1.0, within(1e-12));
    for (int i = 0; i < 40; i++) { // what the answers log for their first slot
      SplittableRandom random = Exploration.random("req-" + i, 9);
      Choice c = mix.choose(CANDIDATES, 3, mix.explores(random) ? random : null);
      assertThat(mix.firstSlotProbability(CANDIDATES, 3, c.ids()[0])).isCloseTo(c.propensities()[0], within(1e-12));
    }
    Choice many = mix.choose(CANDIDATES, 8, Exploration.random("req-many", 9)); // k beyond the 6 candidates: drawn from 8
    assertThat(mix.firstSlotProbability(CANDIDATES, 8, many.ids()[0])).isCloseTo(many.propensities()[0], within(1e-12));
    assertThat(mix.firstSlotProbability(CANDIDATES, 8, "g")).as("the 7th nearest, a candidate for 8 items").isPositive();
    assertThat(Exploration.NONE.firstSlotProbability(CANDIDATES, 3, "a")).isEqualTo(1);
    assertThat(Exploration.NONE.firstSlotProbability(CANDIDATES, 3, "b")).isZero();
    assertThat(new Exploration(Mode.GAUSSIAN, 0.2, 1, 1, 1).firstSlotProbability(CANDIDATES, 3, "a")).as("no closed form").isNaN();
  }

  @Test
  void shouldGiveALaterSlotOfAnExploitAnswerItsProbabilityGivenTheEarlierSlots() {
    Exploration mix = new Exploration(Mode.SOFTMAX, 0.2, 1, 0.1, 6);
    double[] p = mix.firstDrawProbabilities(Arrays.copyOf(CANDIDATES.scores(), 6));
    Choice exploit = mix.choose(CANDIDATES, 2, null);

    assertThat(exploit.ids()).containsExactly("a", "b");
    assertThat(exploit.propensities()[0]).isCloseTo(0.8 + 0.2 * p[0], within(1e-9));
    double drawB = p[1] / (1 - p[0]);
    assertThat(exploit.propensities()[1]).isCloseTo((0.8 + 0.2 * p[0] * drawB) / (0.8 + 0.2 * p[0]), within(1e-9));
    assertThat(Exploration.NONE.choose(CANDIDATES, 2, null).propensities()).isNull();
  }

  @Test
  void shouldDrawDistinctItemsWithEachSlotsPropensityGivenTheItemsBeforeIt() {
    double[] p = SOFTMAX.firstDrawProbabilities(Arrays.copyOf(CANDIDATES.scores(), 6));
    List<String> ids = Arrays.asList(CANDIDATES.ids());
    Choice c = SOFTMAX.draw(CANDIDATES, 4, Exploration.random("req-1", 9));

    assertThat(new HashSet<>(List.of(c.ids()))).hasSize(4);
    double left = 1;
    for (int slot = 0; slot < 4; slot++) {
      int at = ids.indexOf(c.ids()[slot]);
      assertThat(c.scores()[slot]).isEqualTo(CANDIDATES.scores()[at]);
      assertThat(c.propensities()[slot]).isCloseTo(p[at] / left, within(1e-9));
      left -= p[at];
    }
  }

  @Test
  void shouldDrawEveryItemAskedForEvenWhereMostWeightsUnderflow() {
    Exploration cold = new Exploration(Mode.SOFTMAX, 1, 1, 1e-4, 8);
    Choice c = cold.draw(CANDIDATES, 8, Exploration.random("req-1", 9));

    assertThat(c.ids()).as("in the order of their cosines: each next one is certain").containsExactly(CANDIDATES.ids());
    assertThat(c.propensities()).containsOnly(1.0);
  }

  @Test
  void shouldDrawTheSameItemsForTheSameRequestAndVersionOnly() {
    Choice once = SOFTMAX.draw(CANDIDATES, 3, Exploration.random("req-1", 9));
    Choice again = SOFTMAX.draw(CANDIDATES, 3, Exploration.random("req-1", 9));
    assertThat(again.ids()).isEqualTo(once.ids());
    assertThat(again.propensities()).isEqualTo(once.propensities());

    long differ = 0;
    for (int v = 10; v < 30; v++) {
      differ += Arrays.equals(SOFTMAX.draw(CANDIDATES, 3, Exploration.random("req-1", v)).ids(), once.ids()) ? 0 : 1;
    }
    assertThat(differ).as("other versions draw again").isGreaterThan(10);
  }

  @Test
  void shouldExploreTheShareOfRequestsAndNeverWithModeNone() {
    Exploration fifth = new Exploration(Mode.GAUSSIAN, 0.2, 1, 1, 1);
    int explored = 0;
    for (int i = 0; i < 10_000; i++) {
      explored += fifth.explores(Exploration.random("req-" + i, 3)) ? 1 : 0;
      assertThat(Exploration.NONE.explores(Exploration.random("req-" + i, 3))).isFalse();
    }
    assertThat(explored / 10_000.0).isCloseTo(0.2, within(0.015));
  }

  @Test
  void shouldSpreadAGaussianDrawBySigmaTimesTheScale() {
    Exploration half = new Exploration(Mode.GAUSSIAN, 1, 0.5, 1, 1);
    float[] sigma = {0.1f, 2f};
    double[] sumSquares = new double[2];
    int draws = 20_000;
    for (int i = 0; i < draws; i++) {
      float[] actions = {9, 9, 1, -1};
      half.perturb(actions, 1, sigma, Exploration.random("req-" + i, 1));
      assertThat(actions[0]).as("the other row").isEqualTo(9);
      sumSquares[0] += (actions[2] - 1) * (actions[2] - 1);
      sumSquares[1] += (actions[3] + 1) * (actions[3] + 1);
    }
    assertThat(Math.sqrt(sumSquares[0] / draws)).isCloseTo(0.05, within(0.002));
    assertThat(Math.sqrt(sumSquares[1] / draws)).isCloseTo(1.0, within(0.03));
  }

  @Test
  void shouldNameTheSettingThatIsOutOfRange() {
    assertThatThrownBy(() -> new Exploration(Mode.SOFTMAX, 1.5, 1, 0.1, 5)).hasMessageContaining("scorer.explore-share");
    assertThatThrownBy(() -> new Exploration(Mode.GAUSSIAN, 0.1, 0, 0.1, 5)).hasMessageContaining("scorer.gaussian-scale");
    assertThatThrownBy(() -> new Exploration(Mode.SOFTMAX, 0.1, 1, 0, 5)).hasMessageContaining("scorer.softmax-temperature");
    assertThatThrownBy(() -> new Exploration(Mode.SOFTMAX, 0.1, 1, 0.1, 0)).hasMessageContaining("scorer.softmax-candidates");
  }
}
