package dev.drpo.operators.serve;

import static dev.drpo.operators.serve.RecommendationScorerTest.ALICE;
import static dev.drpo.operators.serve.RecommendationScorerTest.BEGINNING;
import static dev.drpo.operators.serve.RecommendationScorerTest.GAP;
import static dev.drpo.operators.serve.RecommendationScorerTest.RETENTION;
import static dev.drpo.operators.serve.RecommendationScorerTest.request;
import static dev.drpo.operators.serve.RecommendationScorerTest.scorer;
import static dev.drpo.operators.serve.RecommendationScorerTest.usersWithState;
import static dev.drpo.operators.serve.RecommendationScorerTest.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.operators.estimate.LoggedChoice;
import dev.drpo.operators.event.InteractionEvent;
import dev.drpo.operators.serve.Exploration.Mode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import dev.drpo.operators.Harnesses;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The scorer with {@link Exploration}: which requests explore, what they get, and that the rest get what they always got. */
class ExploringScorerTest {

  static ScorerConfig exploring(Exploration exploration) {
    return new ScorerConfig("p", 3, 0, GAP, 5, RETENTION, 4, 10, ItemCatalog.Retrieval.EXACT, exploration);
  }

  /** The answers of a scorer holding version 1 to requests req-0 .. req-(n-1) of one user, in batches of 4. */
  static List<Recommendation> answers(Exploration exploration, int n) throws Exception {
    KeyedBroadcastOperatorTestHarness<String, UserInput, ServingUpdate, Recommendation> harness = scorer(exploring(exploration), null);
    harness.processBroadcastElement(version(1, 11, 3), BEGINNING);
    for (int i = 0; i < n; i++) {
      harness.processElement(request("req-" + i, BEGINNING, 5, ALICE), BEGINNING);
    }
    harness.setProcessingTime(BEGINNING + 10);
    List<Recommendation> out = new ArrayList<>(harness.extractOutputValues());
    assertThat(out).hasSize(n);
    assertThat(harness.numProcessingTimeTimers()).as("softmax: the user's expiry, as its history remembers the answer")
        .isEqualTo(exploration.mode() == Mode.SOFTMAX ? 1 : 0);
    harness.close();
    return out;
  }

  @Test
  void shouldAnswerExactlyAsWithoutExplorationWhenNoRequestExplores() throws Exception {
    List<Recommendation> none = answers(Exploration.NONE, 10);
    for (Exploration off : List.of(new Exploration(Mode.SOFTMAX, 0, 1, 0.05, 20), new Exploration(Mode.GAUSSIAN, 0, 1, 1, 1))) {
      List<Recommendation> same = answers(off, 10);
      for (int i = 0; i < 10; i++) {
        assertThat(same.get(i).items).isEqualTo(none.get(i).items);
        assertThat(same.get(i).scores).isEqualTo(none.get(i).scores);
        assertThat(same.get(i).explored).isFalse();
        if (off.mode() == Mode.SOFTMAX) {
          assertThat(same.get(i).propensities).as("a mix that never explores shows its top for certain").containsOnly(1.0);
        } else {
          assertThat(same.get(i).propensities).isNull();
        }
      }
    }
    assertThat(none).allSatisfy(r -> {
      assertThat(r.explored).isFalse();
      assertThat(r.propensities).isNull();
    });
  }

  @Test
  void shouldExploreTheShareOfRequestsAndServeTheOthersTheMeansTopK() throws Exception {
    List<Recommendation> mean = answers(Exploration.NONE, 60);
    List<Recommendation> half = answers(new Exploration(Mode.SOFTMAX, 0.5, 1, 0.05, 20), 60);

    long explored = half.stream().filter(r -> r.explored).count();
    assertThat(explored).isBetween(18L, 42L);
    for (int i = 0; i < 60; i++) {
      Recommendation r = half.get(i);
      if (r.explored) {
        assertThat(r.propensities).hasSize(5);
        assertThat(Arrays.stream(r.propensities).allMatch(p -> p > 0 && p <= 1)).isTrue();
        assertThat(r.items).hasSize(5).doesNotHaveDuplicates();
      } else {
        assertThat(r.items).isEqualTo(mean.get(i).items);
        assertThat(r.propensities).as("the mix's probability of the top: the exploit half and the draws of it").hasSize(5);
        assertThat(r.propensities[0]).isBetween(0.5, 1.0);
      }
    }
    assertThat(half).filteredOn(r -> r.explored).anySatisfy(r -> assertThat(r.items).isNotEqualTo(mean.get(0).items));
  }

  @Test
  void shouldGiveTheSameRequestAndVersionTheSameDraw() throws Exception {
    for (Exploration always : List.of(new Exploration(Mode.SOFTMAX, 1, 1, 0.05, 20), new Exploration(Mode.GAUSSIAN, 1, 1, 1, 1))) {
      List<Recommendation> first = answers(always, 12);
      List<Recommendation> second = answers(always, 12);
      List<Recommendation> mean = answers(Exploration.NONE, 12);
      for (int i = 0; i < 12; i++) {
        assertThat(second.get(i).items).as(always.mode() + " req-" + i).isEqualTo(first.get(i).items);
        assertThat(second.get(i).propensities).isEqualTo(first.get(i).propensities);
        assertThat(first.get(i).explored).isTrue();
      }
      assertThat(first.stream().map(r -> Arrays.asList(r.items)).distinct().count()).as(always.mode() + ": the draws differ by request")
          .isGreaterThan(3);
      assertThat(first).as(always.mode() + ": draws leave the mean's top").anySatisfy(r -> assertThat(r.items).isNotEqualTo(mean.get(0).items));
    }
  }

  @Test
  void shouldGiveASoftmaxDrawsFirstItemItsProbabilityAmongTheCandidatesNearestTheMean() throws Exception {
    Exploration softmax = new Exploration(Mode.SOFTMAX, 1, 1, 0.05, 20);
    var harness = scorer(exploring(Exploration.NONE), null);
    harness.processBroadcastElement(version(1, 11, 3), BEGINNING);
    harness.processElement(request("mean", BEGINNING, 20, ALICE), BEGINNING);
    harness.setProcessingTime(BEGINNING + 10);
    Recommendation candidates = harness.extractOutputValues().get(0);
    harness.close();
    double[] p = softmax.firstDrawProbabilities(candidates.scores);

    for (Recommendation r : answers(softmax, 20)) {
      int at = Arrays.asList(candidates.items).indexOf(r.items[0]);
      assertThat(at).as("one of the 20 nearest").isNotNegative();
      assertThat(r.propensities[0]).isCloseTo(p[at], within(1e-6));
    }
  }
  static final Exploration SOFTMAX = new Exploration(Mode.SOFTMAX, 0.2, 1, 0.05, 20);

  /** The interaction with {@code item} of the answer to {@code requestId}, echoing the requestId. */
  static UserInput taken(String requestId, String item, long ts, double reward) {
    InteractionEvent e = new InteractionEvent("e-" + requestId + item, "alice", item, ts, reward, null);
    e.requestId = requestId;
    return UserInput.of(e);
  }

  /** Features and the session's history: the state changes with every interaction of the session. */
  static final ScorerConfig WITH_HISTORY = new ScorerConfig("p", 3, 2, GAP, 5, RETENTION, 4, 10, ItemCatalog.Retrieval.EXACT, SOFTMAX);

  /** What the scorer logs of req-1's answer, with or without an interaction of the user between the answer and its own. */
  static LoggedChoice loggedAnswer(boolean interactionInBetween) throws Exception {
    var harness = scorer(WITH_HISTORY, null);
    harness.processBroadcastElement(version(1, 11, 3 + RecommendationScorerTest.D), BEGINNING);
    harness.processElement(RecommendationScorerTest.seen("item-1", BEGINNING - 60_000), BEGINNING);
    harness.processElement(request("req-1", BEGINNING, 5, ALICE), BEGINNING);
    harness.setProcessingTime(BEGINNING + 10);
    Recommendation answer = RecommendationScorerTest.last(harness);
    if (interactionInBetween) {
      harness.processElement(RecommendationScorerTest.seen("item-9", BEGINNING + 500), BEGINNING + 20);
    }
    harness.processElement(taken("req-1", answer.items[0], BEGINNING + 1_000, 0.7), BEGINNING + 30);
    LoggedChoice c = harness.getSideOutput(RecommendationScorer.LOGGED_CHOICES).poll().getValue();
    assertThat(harness.getSideOutput(RecommendationScorer.LOGGED_CHOICES)).isEmpty();
    assertThat(c.requestId).isEqualTo("req-1");
    assertThat(c.excluded).as("what the request excluded").containsExactly("item-1");
    assertThat(c.k).isEqualTo(5);
    assertThat(c.itemId).isEqualTo(answer.items[0]);
    assertThat(c.propensity).isEqualTo(answer.propensities[0]);
    assertThat(c.policyVersion).isEqualTo(1);
    assertThat(c.reward).isEqualTo(0.7);
    harness.close();
    return c;
  }

  @Test
  void shouldLogAnAnswerAsItWasGivenOnceTheInteractionWithItsFirstItemEchoesItsRequestId() throws Exception {
    LoggedChoice alone = loggedAnswer(false);
    LoggedChoice after = loggedAnswer(true);

    assertThat(alone.state).hasSize(3 + RecommendationScorerTest.D).startsWith(ALICE);
    float[] history = Arrays.copyOfRange(alone.state, 3, alone.state.length);
    assertThat(history).as("the session's item-1 is in the state").isNotEqualTo(new float[history.length]);
    assertThat(after.state).as("the state req-1 was answered with: item-9 came later").isEqualTo(alone.state);
    assertThat(after.excluded).isEqualTo(alone.excluded);
  }

  @Test
  void shouldLogAnAnswerGivenAfterTheCatalogLoadedThoughItsHistoryWasCheckpointedBefore() throws Exception {
    var before = loading(1, 0, null, 1);
    before.processBroadcastElement(version(1, 11, 3), BEGINNING);
    before.processElement(request("req-1", BEGINNING, 5, ALICE), BEGINNING);
    OperatorSubtaskState saved = RecommendationScorerTest.checkpoint(before); // the answer is remembered, not given yet
    before.close();

    var after = loading(1, 0, saved, 1);
    assertThat(Harnesses.runNextMail(after)).contains("catalog loaded");
    Recommendation answer = RecommendationScorerTest.last(after);
    OperatorSubtaskState filled = RecommendationScorerTest.checkpoint(after); // the answer as given, written back
    after.close();

    var restored = loading(1, 0, filled, 1);
    Harnesses.runNextMail(restored);
    restored.processElement(taken("req-1", answer.items[0], BEGINNING + 1_000, 0.7), BEGINNING + 30);
    assertThat(restored.getSideOutput(RecommendationScorer.LOGGED_CHOICES)).singleElement()
        .satisfies(record -> assertThat(record.getValue().propensity).isEqualTo(answer.propensities[0]));
    restored.close();
  }

  @Test
  void shouldLogNoAnswerThatALaterOneReplacedOrWhoseFirstItemWasNotTakenAndForgetEveryAnswerWithItsUser() throws Exception {
    var harness = scorer(exploring(SOFTMAX), null);
    harness.processBroadcastElement(version(1, 11, 3), BEGINNING);
    harness.processElement(request("req-1", BEGINNING, 5, ALICE), BEGINNING);
    harness.processElement(request("req-2", BEGINNING, 5, ALICE), BEGINNING);
    harness.setProcessingTime(BEGINNING + 10);
    List<Recommendation> answers = harness.extractOutputValues();
    assertThat(harness.numProcessingTimeTimers()).as("the user's expiry").isOne();

    harness.processElement(taken("req-1", answers.get(0).items[0], BEGINNING + 1_000, 0.7), BEGINNING + 20);
    harness.processElement(taken("req-2", answers.get(1).items[1], BEGINNING + 2_000, 0.7), BEGINNING + 30);
    harness.processElement(taken("req-2", answers.get(1).items[0], BEGINNING + 3_000, 0.7), BEGINNING + 40);
    var logged = harness.getSideOutput(RecommendationScorer.LOGGED_CHOICES);
    assertThat(logged == null ? List.of() : logged)
        .as("req-1 was replaced by req-2, whose second item came first and ended its wait").isEmpty();

    harness.setProcessingTime(BEGINNING + 40 + RETENTION);
    assertThat(usersWithState(harness)).isZero();
    assertThat(harness.numProcessingTimeTimers()).isZero();
    harness.close();
  }
  /** An instance of a scorer with softmax exploration whose catalog has not loaded yet (its mail waits). */
  static KeyedBroadcastOperatorTestHarness<String, UserInput, ServingUpdate, Recommendation> loading(int parallelism, int index,
      OperatorSubtaskState restoreFrom, int savedParallelism) throws Exception {
    ScorerOperator operator = RecommendationScorerTest.operator(exploring(SOFTMAX));
    var harness = Harnesses.withMailbox(new KeyedBroadcastOperatorTestHarness<>(operator, UserInput::userId, Types.STRING,
        RecommendationScorerTest.MAX_PARALLELISM, parallelism, index), operator);
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    if (restoreFrom != null) {
      harness.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(restoreFrom,
          RecommendationScorerTest.MAX_PARALLELISM, savedParallelism, parallelism, index));
    }
    harness.open();
    return harness;
  }

  @Test
  void shouldAnswerRequestsRestoredAtAnotherParallelismAwayFromTheirUsersWithoutLoggingThem() throws Exception {
    String first = RecommendationScorerTest.userOn(1, 2);
    String second = RecommendationScorerTest.userOn(0, 2);
    var before = loading(1, 0, null, 1);
    before.processBroadcastElement(version(1, 11, 3), BEGINNING);
    before.processElement(RecommendationScorerTest.request("r-" + first, first), BEGINNING);
    before.processElement(RecommendationScorerTest.request("r-" + second, second), BEGINNING);
    OperatorSubtaskState saved = RecommendationScorerTest.checkpoint(before); // both wait for the catalog, in operator state
    before.close();

    List<KeyedBroadcastOperatorTestHarness<String, UserInput, ServingUpdate, Recommendation>> after = new ArrayList<>();
    for (int index = 0; index < 2; index++) {
      var instance = loading(2, index, saved, 1);
      assertThat(Harnesses.runNextMail(instance)).contains("catalog loaded"); // answers what waited, wherever it landed
      after.add(instance);
    }
    assertThat(RecommendationScorerTest.answered(after)).containsExactlyInAnyOrder("r-" + first, "r-" + second);
    for (var instance : after) {
      instance.close();
    }
  }
}
