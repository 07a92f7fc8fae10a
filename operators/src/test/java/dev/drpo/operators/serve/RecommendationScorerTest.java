package dev.drpo.operators.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.model.policy.GaussianPolicy;
import dev.drpo.model.policy.PolicyConfig;
import dev.drpo.model.snapshot.PolicySnapshotCodec;
import dev.drpo.operators.Harnesses;
import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.operators.catalog.CatalogUpdate;
import dev.drpo.operators.event.InteractionEvent;
import dev.drpo.operators.event.RecRequest;
import dev.drpo.operators.train.PolicyVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class RecommendationScorerTest {
  static final long BEGINNING = 1_700_000_000_000L;
  static final long ONE_MINUTE_LATER = BEGINNING + 60_000;
  static final long TWO_HOURS_EARLIER = BEGINNING - 2 * 3_600_000;
  static final long GAP = 30 * 60_000L;
  static final long RETENTION = 3_600_000L;
  static final int D = 8;
  static final CatalogItems ITEMS = catalog(40, D);

  static CatalogItems catalog(int n, int d) {
    SplittableRandom r = new SplittableRandom(3);
    String[] ids = new String[n];
    float[][] e = new float[n][d];
    for (int i = 0; i < n; i++) {
      ids[i] = "item-" + i;
      for (int j = 0; j < d; j++) {
        e[i][j] = (float) r.nextGaussian();
      }
    }
    return new CatalogItems(ids, e);
  }

  static ServingUpdate version(long version, long seed, int stateDim) {
    GaussianPolicy policy = new GaussianPolicy(new PolicyConfig(stateDim, new int[] {16}, D, -5, 1, -1, 1e-3),
        DataType.FLOAT, seed);
    PolicyVersion v = new PolicyVersion();
    v.policyName = "p";
    v.version = version;
    v.snapshot = PolicySnapshotCodec.encode(policy.toSnapshot(version, version - 1, 0, false));
    return ServingUpdate.of(v);
  }

  static UserInput request(String id, long ts, int k, float[] features) {
    RecRequest r = new RecRequest();
    r.requestId = id;
    r.userId = "alice";
    r.ts = ts;
    r.k = k;
    r.userFeatures = features;
    return UserInput.of(r);
  }

  static UserInput seen(String item, long ts) {
    return UserInput.of(new InteractionEvent("e-" + item + ts, "alice", item, ts, 1.0, null));
  }

  static ScorerOperator operator(ScorerConfig config) {
    return new ScorerOperator(config, ITEMS);
  }

  static KeyedBroadcastOperatorTestHarness<String, UserInput, ServingUpdate, Recommendation> scorer(
      ScorerConfig config, OperatorSubtaskState restoreFrom) throws Exception {
    ScorerOperator operator = operator(config);
    var harness = Harnesses.withMailbox(
        new KeyedBroadcastOperatorTestHarness<>(operator, UserInput::userId, Types.STRING, 1, 1, 0), operator);
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    if (restoreFrom != null) {
      harness.initializeState(restoreFrom);
    }
    harness.open();
    assertThat(Harnesses.runNextMail(harness)).contains("catalog loaded");
    harness.setProcessingTime(BEGINNING);
    return harness;
  }

  static final ScorerConfig FEATURES_ONLY = new ScorerConfig("p", 3, 0, GAP, 5, RETENTION, 1, 10, ItemCatalog.Retrieval.EXACT, Exploration.NONE);
  static final float[] ALICE = {0.3f, -1.2f, 0.8f};

  static Recommendation last(KeyedBroadcastOperatorTestHarness<String, UserInput, ServingUpdate, Recommendation> h) {
    List<Recommendation> out = h.extractOutputValues();
    return out.get(out.size() - 1);
  }

  static long usersWithState(KeyedBroadcastOperatorTestHarness<String, UserInput, ServingUpdate, Recommendation> h) {
    return Harnesses.keysWithState(h.getOperator().getKeyedStateBackend(), RecommendationScorer.HISTORY);
  }

  @Test
  void shouldKeepRequestsThatArriveWhileTheCatalogLoadsThroughACheckpointAndAnswerThemOnceItHasLoaded() throws Exception {
    ScorerOperator first = operator(FEATURES_ONLY);
    var before = Harnesses.withMailbox(new KeyedBroadcastOperatorTestHarness<>(first, UserInput::userId, Types.STRING, 1, 1, 0), first);
    before.setStateBackend(new EmbeddedRocksDBStateBackend());
    before.open(); // the load's result waits in the mailbox until it runs
    before.processBroadcastElement(version(1, 11, 3), BEGINNING);
    before.processElement(seen("item-1", BEGINNING), BEGINNING);
    before.processElement(request("r1", BEGINNING + 1, 5, ALICE), BEGINNING);
    before.setProcessingTime(BEGINNING + 100); // its batch's deadline passes
    OperatorSubtaskState saved = checkpoint(before);
    assertThat(before.extractOutputValues()).as("waiting for the catalog, also at the barrier").isEmpty();
    before.close();

    ScorerOperator second = operator(FEATURES_ONLY);
    var after = Harnesses.withMailbox(new KeyedBroadcastOperatorTestHarness<>(second, UserInput::userId, Types.STRING, 1, 1, 0), second);
    after.setStateBackend(new EmbeddedRocksDBStateBackend());
    after.initializeState(saved);
    after.open();
    assertThat(Harnesses.runNextMail(after)).contains("catalog loaded");
    assertThat(after.extractOutputValues()).as("answered by the restored version").extracting(r -> r.requestId)
        .containsExactly("r1");
    after.processElement(request("r2", BEGINNING + 2, 5, ALICE), BEGINNING);
    assertThat(after.extractOutputValues()).extracting(r -> r.requestId).containsExactly("r1", "r2");
    assertThat(after.extractOutputValues()).allSatisfy(r -> {
      assertThat(r.fallback).isNull();
      assertThat(r.policyVersion).isEqualTo(1);
      assertThat(r.items).hasSize(5).doesNotContain("item-1");
    });
    after.close();
  }

  @Test
  void shouldAnswerTheRequestsThatWaitedForTheCatalogInBatchesOfAtMostMaxBatch() throws Exception {
    ScorerConfig sixtyFour = new ScorerConfig("p", 3, 0, GAP, 5, RETENTION, 64, 10, ItemCatalog.Retrieval.EXACT, Exploration.NONE);
    ScorerOperator operator = operator(sixtyFour);
    var harness = Harnesses.withMailbox(new KeyedBroadcastOperatorTestHarness<>(operator, UserInput::userId, Types.STRING, 1, 1, 0),
        operator);
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    harness.open(); // the load's result waits in the mailbox: the catalog is loading
    harness.processBroadcastElement(version(1, 11, 3), BEGINNING);
    for (int i = 0; i < 1_000; i++) {
      harness.processElement(request("r" + i, BEGINNING + i, 5, ALICE), BEGINNING);
    }
    assertThat(harness.extractOutputValues()).isEmpty();

    assertThat(Harnesses.runNextMail(harness)).contains("catalog loaded");

    assertThat(harness.extractOutputValues()).hasSize(1_000).allSatisfy(r -> assertThat(r.items).hasSize(5));
    var batches = ((RecommendationScorer) operator.getUserFunction()).batchSizes();
    assertThat(batches.getMax()).as("never one batch of every waiting request").isEqualTo(64);
    assertThat(batches.size()).isEqualTo(16);
    harness.close();
  }

  @Test
  void shouldAnswerWithUniformRandomItemsAndSaySoBeforeAnyPolicyArrives() throws Exception {
    var harness = scorer(FEATURES_ONLY, null);
    harness.processElement(request("r1", BEGINNING, 5, ALICE), BEGINNING);

    Recommendation r = last(harness);
    assertThat(r.requestId).isEqualTo("r1");
    assertThat(r.policyVersion).isEqualTo(-1);
    assertThat(r.fallback).isEqualTo(Recommendation.NO_POLICY_YET);
    assertThat(r.items).hasSize(5).doesNotHaveDuplicates();
  }

  @Test
  void shouldRecommendOtherItemsWhenANewVersionArrives() throws Exception {
    var harness = scorer(FEATURES_ONLY, null);
    harness.processBroadcastElement(version(1, 11, 3), BEGINNING);
    harness.processElement(request("r1", BEGINNING, 5, ALICE), BEGINNING);
    Recommendation first = last(harness);
    harness.processBroadcastElement(version(2, 22, 3), BEGINNING);
    harness.processElement(request("r2", BEGINNING, 5, ALICE), BEGINNING);
    Recommendation second = last(harness);

    assertThat(first.policyVersion).isEqualTo(1);
    assertThat(second.policyVersion).isEqualTo(2);
    assertThat(first.fallback).isNull();
    assertThat(second.items).isNotEqualTo(first.items);
    assertThat(first.scores).isSortedAccordingTo((a, b) -> Float.compare(b, a));
  }

  @Test
  void shouldNeverRecommendWhatTheUserJustSaw() throws Exception {
    var harness = scorer(FEATURES_ONLY, null);
    harness.processBroadcastElement(version(1, 11, 3), BEGINNING);
    harness.processElement(request("r1", BEGINNING, 3, ALICE), BEGINNING);
    String[] shown = last(harness).items;
    for (String item : shown) {
      harness.processElement(seen(item, BEGINNING), BEGINNING);
    }
    harness.processElement(request("r2", ONE_MINUTE_LATER, 3, ALICE), BEGINNING);

    assertThat(last(harness).items).doesNotContainAnyElementsOf(List.of(shown));
  }

  @Test
  void shouldBuildTheStateFromTheCurrentSessionOnly() throws Exception {
    ScorerConfig historyOnly = new ScorerConfig("p", 0, 10, GAP, 0, RETENTION, 1, 10, ItemCatalog.Retrieval.EXACT, Exploration.NONE);
    var harness = scorer(historyOnly, null);
    harness.processBroadcastElement(version(1, 11, D), BEGINNING);
    harness.processElement(request("r0", ONE_MINUTE_LATER, 5, null), BEGINNING);
    String[] noHistory = last(harness).items;

    harness.processElement(seen("item-7", TWO_HOURS_EARLIER), BEGINNING);
    harness.processElement(request("r1", ONE_MINUTE_LATER, 5, null), BEGINNING);
    assertThat(last(harness).items).as("an earlier session does not count").isEqualTo(noHistory);

    harness.processElement(seen("item-7", BEGINNING), BEGINNING);
    harness.processElement(request("r2", ONE_MINUTE_LATER, 5, null), BEGINNING);
    assertThat(last(harness).items).as("this session's interaction does").isNotEqualTo(noHistory);
  }

  static final ScorerConfig BATCHES_OF_THREE = new ScorerConfig("p", 3, 0, GAP, 5, RETENTION, 3, 10, ItemCatalog.Retrieval.EXACT, Exploration.NONE);

  static UserInput request(String id, String user) {
    UserInput in = request(id, BEGINNING, 4, ALICE);
    in.request.userId = user;
    return in;
  }

  @Test
  void shouldScoreRequestsOfDifferentUsersTogetherWhenTheBatchFillsOrItsDelayPasses() throws Exception {
    var harness = scorer(BATCHES_OF_THREE, null);
    harness.processBroadcastElement(version(1, 11, 3), BEGINNING);
    harness.processElement(request("r1", "ann"), BEGINNING);
    harness.processElement(request("r2", "bob"), BEGINNING);
    assertThat(harness.extractOutputValues()).as("waiting for the batch to fill").isEmpty();

    harness.processElement(request("r3", "cat"), BEGINNING);
    assertThat(harness.extractOutputValues()).extracting(r -> r.requestId).containsExactly("r1", "r2", "r3");

    harness.processElement(request("r4", "dan"), BEGINNING);
    harness.setProcessingTime(BEGINNING + 10);
    assertThat(harness.extractOutputValues()).extracting(r -> r.requestId).containsExactly("r1", "r2", "r3", "r4");
    assertThat(harness.extractOutputValues()).allSatisfy(r -> assertThat(r.items).hasSize(4));
  }

  @Test
  void shouldNotFlushTheNextBatchAtTheDeadlineOfAFullOne() throws Exception {
    var harness = scorer(BATCHES_OF_THREE, null);
    harness.processBroadcastElement(version(1, 11, 3), BEGINNING);
    harness.processElement(request("r1", "ann"), BEGINNING);
    harness.processElement(request("r2", "bob"), BEGINNING);
    harness.processElement(request("r3", "cat"), BEGINNING);
    harness.setProcessingTime(BEGINNING + 5);
    harness.processElement(request("r4", "dan"), BEGINNING);

    harness.setProcessingTime(BEGINNING + 10);
    assertThat(harness.extractOutputValues()).as("r4's batch is not due yet").extracting(r -> r.requestId)
        .containsExactly("r1", "r2", "r3");
    harness.setProcessingTime(BEGINNING + 15);
    assertThat(harness.extractOutputValues()).extracting(r -> r.requestId).containsExactly("r1", "r2", "r3", "r4");
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  static final int MAX_PARALLELISM = 128;

  static KeyedBroadcastOperatorTestHarness<String, UserInput, ServingUpdate, Recommendation> instance(
      int parallelism, int index, OperatorSubtaskState restoreFrom, int savedParallelism) throws Exception {
    ScorerOperator operator = operator(BATCHES_OF_THREE);
    var harness = Harnesses.withMailbox(new KeyedBroadcastOperatorTestHarness<>(operator,
        UserInput::userId, Types.STRING, MAX_PARALLELISM, parallelism, index), operator);
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    if (restoreFrom != null) {
      harness.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(
          restoreFrom, MAX_PARALLELISM, savedParallelism, parallelism, index));
    }
    harness.open();
    Harnesses.runNextMail(harness);
    harness.setProcessingTime(BEGINNING);
    return harness;
  }

  /** Takes a checkpoint as the runtime does: the operator's pre-barrier hook, then the snapshot. */
  static OperatorSubtaskState checkpoint(KeyedBroadcastOperatorTestHarness<String, UserInput, ServingUpdate, Recommendation> h)
      throws Exception {
    h.prepareSnapshotPreBarrier(1);
    return h.snapshot(1, BEGINNING);
  }

  /** A user whose key group the given instance of {@code parallelism} owns. */
  static String userOn(int index, int parallelism) {
    for (int i = 0; ; i++) {
      if (KeyGroupRangeAssignment.assignKeyToParallelOperator("user-" + i, MAX_PARALLELISM, parallelism) == index) {
        return "user-" + i;
      }
    }
  }

  static List<String> answered(List<KeyedBroadcastOperatorTestHarness<String, UserInput, ServingUpdate, Recommendation>> all) {
    return all.stream().flatMap(h -> h.extractOutputValues().stream()).map(r -> r.requestId).toList();
  }

  @Test
  void shouldLeaveNoRequestWaitingWhenRestoredAtAnotherParallelism() throws Exception {
    var one = instance(1, 0, null, 0);
    one.processBroadcastElement(version(1, 11, 3), BEGINNING);
    one.processElement(request("r1", "ann"), BEGINNING);
    one.processElement(request("r2", "bob"), BEGINNING);
    OperatorSubtaskState saved = checkpoint(one);
    assertThat(answered(List.of(one))).as("answered before the barrier").containsExactly("r1", "r2");
    one.close();

    var three = List.of(instance(3, 0, saved, 1), instance(3, 1, saved, 1), instance(3, 2, saved, 1));
    String[] users = {userOn(0, 3), userOn(1, 3), userOn(2, 3)};
    for (int i = 0; i < 3; i++) {
      three.get(i).processElement(request("r" + (3 + i), users[i]), BEGINNING);
      three.get(i).setProcessingTime(BEGINNING + 10);
    }
    assertThat(answered(three)).as("each answered within the delay, none again").containsExactlyInAnyOrder("r3", "r4", "r5");
    assertThat(three).allSatisfy(h -> assertThat(h.extractOutputValues()).allSatisfy(r -> assertThat(r.policyVersion).isEqualTo(1)));

    for (int i = 0; i < 3; i++) {
      three.get(i).processElement(request("r" + (6 + i), users[i]), BEGINNING + 10);
    }
    List<OperatorSubtaskState> states = new ArrayList<>();
    for (var h : three) {
      states.add(checkpoint(h));
    }
    assertThat(answered(three)).containsExactlyInAnyOrder("r3", "r4", "r5", "r6", "r7", "r8");
    for (var h : three) {
      h.close();
    }

    var back = instance(1, 0, AbstractStreamOperatorTestHarness.repackageState(states.toArray(OperatorSubtaskState[]::new)), 3);
    back.setProcessingTime(BEGINNING + 1_000);
    assertThat(back.extractOutputValues()).as("nothing was left waiting to be answered twice").isEmpty();
    back.processElement(request("r9", users[0]), BEGINNING);
    back.setProcessingTime(BEGINNING + 1_010);
    assertThat(back.extractOutputValues()).singleElement().satisfies(r -> assertThat(r.policyVersion).isEqualTo(1));
  }

  @Test
  void shouldKeepAnActiveUsersHistoryWithOneTimerAndForgetItARetentionAfterTheLastInteraction() throws Exception {
    var harness = scorer(FEATURES_ONLY, null);
    harness.processElement(seen("item-1", BEGINNING), BEGINNING);
    harness.setProcessingTime(BEGINNING + RETENTION / 2);
    harness.processElement(seen("item-2", BEGINNING), BEGINNING);
    harness.processElement(seen("item-3", BEGINNING), BEGINNING);
    assertThat(harness.numProcessingTimeTimers()).as("one timer per user, not one per interaction").isEqualTo(1);
    assertThat(usersWithState(harness)).as("on the heap until the next checkpoint barrier").isZero();
    harness.prepareSnapshotPreBarrier(1); // as a checkpoint does, before it takes the snapshot
    harness.snapshot(1, BEGINNING + RETENTION / 2);
    assertThat(usersWithState(harness)).as("written to state before the barrier").isEqualTo(1);

    harness.setProcessingTime(BEGINNING + RETENTION);
    assertThat(usersWithState(harness)).as("acted half a retention ago").isEqualTo(1);
    assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

    harness.setProcessingTime(BEGINNING + RETENTION / 2 + RETENTION);
    assertThat(usersWithState(harness)).isZero();
    assertThat(harness.numProcessingTimeTimers()).isZero();
  }

  @Test
  void shouldKeepPolicyAndHistoriesThroughASnapshotAndForgetIdleUsers() throws Exception {
    var before = scorer(FEATURES_ONLY, null);
    before.processBroadcastElement(version(4, 11, 3), BEGINNING);
    before.processElement(request("r1", BEGINNING, 3, ALICE), BEGINNING);
    String[] shown = last(before).items;
    before.processElement(seen(shown[0], BEGINNING), BEGINNING);
    before.prepareSnapshotPreBarrier(1); // as a checkpoint does, before it takes the snapshot
    OperatorSubtaskState saved = before.snapshot(1, BEGINNING);
    before.close();

    var after = scorer(FEATURES_ONLY, saved);
    after.processElement(request("r2", ONE_MINUTE_LATER, 3, ALICE), BEGINNING);
    assertThat(last(after).policyVersion).isEqualTo(4);
    assertThat(last(after).items).doesNotContain(shown[0]).contains(shown[1], shown[2]);
    assertThat(usersWithState(after)).isEqualTo(1);

    after.setProcessingTime(BEGINNING + RETENTION);
    assertThat(usersWithState(after)).isZero();
    assertThat(after.numProcessingTimeTimers()).isZero();
  }

  static ServingUpdate item(String id, float[] embedding, long offset) {
    return ServingUpdate.of(new CatalogUpdate(id, embedding, 0, offset));
  }

  @Test
  void shouldRecommendAnItemFromItsUpsertOnAndNeverAfterItsDelete() throws Exception {
    var harness = scorer(FEATURES_ONLY, null);
    harness.processBroadcastElement(version(1, 11, 3), BEGINNING);
    harness.processElement(request("r1", BEGINNING, 100, ALICE), BEGINNING);
    assertThat(last(harness).items).as("k above the catalog's size: every item").hasSize(40).doesNotContain("new-item");

    harness.processBroadcastElement(item("new-item", new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 0), BEGINNING);
    harness.processElement(request("r2", BEGINNING, 100, ALICE), BEGINNING);
    assertThat(last(harness).items).hasSize(41).contains("new-item");

    harness.processBroadcastElement(item("new-item", null, 1), BEGINNING);
    harness.processBroadcastElement(item("item-3", null, 2), BEGINNING);
    harness.processElement(request("r3", BEGINNING, 100, ALICE), BEGINNING);
    assertThat(last(harness).items).hasSize(39).doesNotContain("new-item", "item-3");
    harness.processElement(request("r4", BEGINNING, 100, null), BEGINNING);
    assertThat(last(harness).items).as("nor in a fallback answer").doesNotContain("new-item", "item-3");
  }

  @Test
  void shouldAnswerAsExactSearchDoesWhenTheIndexProposesEveryItem() throws Exception {
    ScorerConfig hnsw = new ScorerConfig("p", 3, 0, GAP, 5, RETENTION, 1, 10, new ItemCatalog.Retrieval(10, 16, 100, 100, 16, "", ""), Exploration.NONE);
    var exact = scorer(FEATURES_ONLY, null);
    ScorerOperator operator = new ScorerOperator(hnsw, ITEMS);
    var approximate = Harnesses.withMailbox(
        new KeyedBroadcastOperatorTestHarness<>(operator, UserInput::userId, Types.STRING, 1, 1, 0), operator);
    approximate.open();
    assertThat(Harnesses.runNextMail(approximate)).contains("catalog loaded");
    assertThat(Harnesses.runNextMail(approximate)).contains("catalog index built");
    for (var h : List.of(exact, approximate)) {
      h.processBroadcastElement(version(1, 11, 3), BEGINNING);
      h.processBroadcastElement(item("new-item", new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 0), BEGINNING);
      h.processElement(request("r1", BEGINNING, 10, ALICE), BEGINNING);
    }
    assertThat(last(approximate).items).containsExactly(last(exact).items);
    assertThat(last(approximate).scores).containsExactly(last(exact).scores, org.assertj.core.data.Offset.offset(1e-5f));
    approximate.close();
  }
}
