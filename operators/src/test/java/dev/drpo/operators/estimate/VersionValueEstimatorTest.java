package dev.drpo.operators.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.model.policy.GaussianPolicy;
import dev.drpo.model.policy.PolicyConfig;
import dev.drpo.model.snapshot.PolicySnapshotCodec;
import dev.drpo.operators.Harnesses;
import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.operators.event.InteractionEvent;
import dev.drpo.operators.event.RecRequest;
import dev.drpo.operators.serve.Exploration;
import dev.drpo.operators.serve.Exploration.Mode;
import dev.drpo.operators.serve.Recommendation;
import dev.drpo.operators.serve.RecommendationScorer;
import dev.drpo.operators.serve.ScorerConfig;
import dev.drpo.operators.serve.ScorerOperator;
import dev.drpo.operators.serve.ServingUpdate;
import dev.drpo.operators.serve.UserInput;
import dev.drpo.operators.train.PolicyVersion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The estimator against the truth: answers logged by a real scorer serving one version, and what
 * other versions earn when the same scorer serves them to new users of the same kind.
 */
class VersionValueEstimatorTest {
  static final long BEGINNING = 1_700_000_000_000L;
  static final int FEATURES = 3;
  static final int D = 8;
  static final CatalogItems ITEMS = catalog(40);
  static final Map<String, Double> REWARD = rewards(ITEMS);
  /** Half the requests explore, spread over the 20 candidates nearest the mean. */
  static final ScorerConfig BROAD = config(new Exploration(Mode.SOFTMAX, 0.5, 1, 0.5, 20));
  /** A fifth explore, nearly always one of the few nearest the mean (the job's default temperature). */
  static final ScorerConfig NARROW = config(new Exploration(Mode.SOFTMAX, 0.2, 1, 0.05, 20));

  static ScorerConfig config(Exploration exploration) {
    return new ScorerConfig("p", FEATURES, 0, 30 * 60_000L, 5, 3_600_000L, 16, 10, ItemCatalog.Retrieval.EXACT, exploration);
  }

  static CatalogItems catalog(int n) {
    SplittableRandom r = new SplittableRandom(3);
    String[] ids = new String[n];
    float[][] e = new float[n][D];
    for (int i = 0; i < n; i++) {
      ids[i] = "item-" + i;
      for (int j = 0; j < D; j++) {
        e[i][j] = (float) r.nextGaussian();
      }
    }
    return new CatalogItems(ids, e);
  }

  /** Each item's reward for everyone: (1 + the cosine of its embedding with the first axis) / 2. */
  static Map<String, Double> rewards(CatalogItems items) {
    Map<String, Double> reward = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      float[] e = items.embeddings()[i];
      double norm = Math.sqrt(dot(e, e));
      reward.put(items.ids()[i], (1 + e[0] / norm) / 2);
    }
    return reward;
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static GaussianPolicy policy(long seed) {
    return new GaussianPolicy(new PolicyConfig(FEATURES, new int[] {16}, D, -5, 1, -1, 1e-3), DataType.FLOAT, seed);
  }

  static PolicyVersion version(long version, long seed) {
    return version(version, policy(seed));
  }

  /** The policy of {@code seed} moved a {@code step} of the way to the random policy of {@code towards}, as training moves a version. */
  static PolicyVersion step(long version, long seed, long towards, double step) {
    GaussianPolicy policy = policy(seed);
    policy.params().addi(policy(towards).params().sub(policy.params()).muli(step));
    return version(version, policy);
  }

  static PolicyVersion version(long version, GaussianPolicy policy) {
    PolicyVersion v = new PolicyVersion();
    v.policyName = "p";
    v.version = version;
    v.snapshot = PolicySnapshotCodec.encode(policy.toSnapshot(version, version - 1, 0, false));
    return v;
  }

  /** What one version served to {@code users} new users (one request each) and what they echoed back. */
  record Served(List<LoggedChoice> logged, double meanReward) {}

  static Served serve(ScorerConfig config, PolicyVersion version, int users, long seed) throws Exception {
    ScorerOperator operator = new ScorerOperator(config, ITEMS);
    var harness = Harnesses.withMailbox(
        new KeyedBroadcastOperatorTestHarness<>(operator, UserInput::userId, Types.STRING, 1, 1, 0), operator);
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    harness.open();
    Harnesses.runNextMail(harness);
    harness.setProcessingTime(BEGINNING);
    harness.processBroadcastElement(ServingUpdate.of(version), BEGINNING);
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, float[]> features = new HashMap<>();
    for (int u = 0; u < users; u++) {
      RecRequest r = new RecRequest();
      r.requestId = "req-" + seed + "-" + u;
      r.userId = "user-" + seed + "-" + u;
      r.ts = BEGINNING;
      r.k = 3;
      r.userFeatures = new float[] {(float) random.nextGaussian(), (float) random.nextGaussian(), (float) random.nextGaussian()};
      features.put(r.userId, r.userFeatures);
      harness.processElement(UserInput.of(r), BEGINNING);
    }
    harness.setProcessingTime(BEGINNING + 10);
    double sum = 0;
    for (Recommendation answer : harness.extractOutputValues()) {
      double reward = REWARD.get(answer.items[0]);
      sum += reward;
      InteractionEvent taken = new InteractionEvent("e-" + answer.requestId, answer.userId, answer.items[0], BEGINNING + 1_000,
          reward, null);
      taken.userFeatures = features.get(answer.userId);
      taken.requestId = answer.requestId;
      taken.propensity = answer.propensities[0];
      taken.policyVersion = answer.policyVersion;
      harness.processElement(UserInput.of(taken), BEGINNING + 20);
    }
    List<LoggedChoice> logged = new ArrayList<>();
    harness.getSideOutput(RecommendationScorer.LOGGED_CHOICES).forEach(record -> logged.add(record.getValue()));
    harness.close();
    assertThat(logged).hasSize(users);
    return new Served(logged, sum / users);
  }

  static TwoInputStreamOperatorTestHarness<LoggedChoice, ServingUpdate, PolicyVersion> estimator(ScorerConfig config,
      int window, OperatorSubtaskState restoreFrom) throws Exception {
    var estimator = new VersionValueEstimator(config, ITEMS, window);
    var harness = Harnesses.withMailbox(new TwoInputStreamOperatorTestHarness<>(estimator), estimator);
    if (restoreFrom != null) {
      harness.initializeState(restoreFrom);
    }
    harness.open();
    assertThat(Harnesses.runNextMail(harness)).contains("catalog loaded");
    return harness;
  }

  static ValueEstimate estimate(TwoInputStreamOperatorTestHarness<LoggedChoice, ServingUpdate, PolicyVersion> harness,
      PolicyVersion version) throws Exception {
    harness.processElement2(new StreamRecord<>(ServingUpdate.of(version)));
    List<PolicyVersion> out = harness.extractOutputValues();
    assertThat(out.get(out.size() - 1).version).isEqualTo(version.version);
    return out.get(out.size() - 1).estimate;
  }

  @Test
  void shouldEstimateWhatEachNewVersionEarnsFromTheAnswersOfTheVersionBefore() throws Exception {
    for (ScorerConfig config : List.of(BROAD, NARROW)) {
      Served logged = serve(config, version(1, 11), 3_000, 1);
      var harness = estimator(config, 3_000, null);
      for (LoggedChoice c : logged.logged()) {
        harness.processElement1(new StreamRecord<>(c));
      }

      ValueEstimate same = estimate(harness, version(1, 11));
      assertThat(same.servedReward).isEqualTo(logged.meanReward(), within(1e-6));
      assertThat(same.reward).as("the version that served: its own mean").isEqualTo(logged.meanReward(), within(1e-6));

      int covered = 0;
      for (long towards = 12; towards < 18; towards++) {
        for (double size : new double[] {0.1, 0.3}) {
          PolicyVersion next = step(towards, 11, towards, size);
          ValueEstimate e = estimate(harness, next);
          double truth = serve(config, next, 3_000, towards).meanReward();
          String what = String.format("temperature %s, a step of %.1f towards policy %d: estimated %s, earned %.4f",
              config.exploration().softmaxTemperature(), size, towards, e, truth);
          System.out.println(what);
          assertThat(e.answers).isEqualTo(3_000);
          if (e.effectiveAnswers >= 200) {
            assertThat(e.reward).as(what).isCloseTo(truth, within(0.02));
            if (Math.abs(truth - logged.meanReward()) > 0.02) {
              assertThat(e.reward > logged.meanReward()).as("better than the version it replaces? " + what)
                  .isEqualTo(truth > logged.meanReward());
            }
          }
          assertThat(e.effectiveAnswers).as("an interval for each: " + what).isGreaterThanOrEqualTo(ValueEstimate.MIN_EFFECTIVE_FOR_INTERVAL);
          covered += e.low <= truth && truth <= e.high ? 1 : 0;
        }
      }
      assertThat(covered).as("95%% intervals of 12 that hold what the version then earned (itself a mean of 3,000 answers)")
          .isGreaterThanOrEqualTo(9);
      harness.close();
    }
  }

  @Test
  void shouldSayHowFewAnswersAnEstimateRestsOnWhenTheNewVersionShowsWhatTheOldOneRarelyDid() throws Exception {
    Served logged = serve(NARROW, version(1, 11), 3_000, 1);
    var harness = estimator(NARROW, 3_000, null);
    for (LoggedChoice c : logged.logged()) {
      harness.processElement1(new StreamRecord<>(c));
    }

    ValueEstimate same = estimate(harness, version(1, 11));
    ValueEstimate unrelated = estimate(harness, version(2, 12));
    System.out.printf("narrow exploration: same version %s; unrelated version %s%n", same, unrelated);
    assertThat(same.effectiveAnswers).isCloseTo(3_000, within(1e-6));
    assertThat(unrelated.effectiveAnswers).as("a version that shares few tops with the one that served").isLessThan(300);
    harness.close();
  }

  @Test
  void shouldPassVersionsWithoutAnEstimateUntilAnAnswerEchoesAPropensity() throws Exception {
    var harness = estimator(NARROW, 10, null);
    assertThat(estimate(harness, version(1, 11))).isNull();

    harness.processElement1(new StreamRecord<>(serve(NARROW, version(1, 11), 1, 1).logged().get(0)));
    assertThat(estimate(harness, version(2, 12))).isNotNull();
    assertThat(harness.extractOutputValues()).extracting(v -> v.version).containsExactly(1L, 2L);
    harness.close();
  }

  @Test
  void shouldKeepTheNewestAnswersOfItsWindowThroughACheckpoint() throws Exception {
    List<LoggedChoice> logged = serve(NARROW, version(1, 11), 30, 1).logged();
    var before = estimator(NARROW, 20, null);
    for (LoggedChoice c : logged) {
      before.processElement1(new StreamRecord<>(c));
    }
    OperatorSubtaskState saved = before.snapshot(1, 0);
    before.close();
    var newest = estimator(NARROW, 20, null);
    for (LoggedChoice c : logged.subList(10, 30)) {
      newest.processElement1(new StreamRecord<>(c));
    }
    ValueEstimate expected = estimate(newest, version(2, 12));
    newest.close();

    var after = estimator(NARROW, 20, saved);
    ValueEstimate restored = estimate(after, version(2, 12));
    assertThat(restored.answers).isEqualTo(20);
    assertThat(restored.reward).isEqualTo(expected.reward);
    assertThat(restored.effectiveAnswers).isEqualTo(expected.effectiveAnswers);
    assertThat(restored.servedReward).isEqualTo(expected.servedReward);
    assertThat(restored.servedReward).as("not the oldest 20")
        .isNotEqualTo(logged.subList(0, 20).stream().mapToDouble(c -> c.reward).average().orElseThrow());
    after.close();
  }

  @Test
  void shouldPassAVersionWithoutAnEstimateWhenItsDimensionsAreNotTheScorersAndDropAnswersOfAnotherStateLength() throws Exception {
    var harness = estimator(NARROW, 10, null);
    LoggedChoice odd = serve(NARROW, version(1, 11), 1, 1).logged().get(0).copy();
    odd.state = new float[] {1f};
    harness.processElement1(new StreamRecord<>(odd));
    assertThat(estimate(harness, version(1, 11))).as("no answer kept").isNull();

    harness.processElement1(new StreamRecord<>(serve(NARROW, version(1, 11), 1, 1).logged().get(0)));
    GaussianPolicy wider = new GaussianPolicy(new PolicyConfig(FEATURES + 1, new int[] {16}, D, -5, 1, -1, 1e-3), DataType.FLOAT, 5);
    assertThat(estimate(harness, version(2, wider))).isNull();
    assertThat(estimate(harness, version(3, 12))).isNotNull();
    assertThat(harness.extractOutputValues()).extracting(v -> v.version).containsExactly(1L, 2L, 3L);
    harness.close();
  }
}
