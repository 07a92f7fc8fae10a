package dev.drpo.operators.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drpo.model.learn.Batch;
import dev.drpo.model.learn.DivergenceGuard;
import dev.drpo.model.learn.PolicyLearner;
import dev.drpo.model.objective.Prefiltered;
import dev.drpo.model.policy.GaussianPolicy;
import dev.drpo.model.policy.PolicyConfig;
import dev.drpo.model.snapshot.PolicySnapshot;
import dev.drpo.model.snapshot.PolicySnapshotCodec;
import dev.drpo.operators.Harnesses;
import dev.drpo.operators.filter.TrainingSample;
import dev.drpo.operators.quality.QualitySample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class MicroBatchTrainerTest {
  static final long BEGINNING = 1_000_000L;
  static final long AFTER_MAX_WAIT = BEGINNING + 5_001;
  static final long ONE_SECOND_LATER = BEGINNING + 1_000;
  static final PolicyConfig SHAPE = new PolicyConfig(4, new int[] {8}, 3, -5, 1, -1, 1e-2);
  static final TrainerConfig CONFIG = new TrainerConfig("p", 4, 1, 5_000, 2, 3_600_000, SHAPE, 7,
      Prefiltered.Normalisation.MEAN, 100, 1e6);

  static List<TrainingSample> samples(int n, long seed, double weight) {
    SplittableRandom r = new SplittableRandom(seed);
    return IntStream.range(0, n).mapToObj(i -> {
      TrainingSample s = new TrainingSample(new QualitySample(), weight, 0.1, 0.5);
      s.state = new float[SHAPE.stateDim()];
      s.action = new float[SHAPE.actionDim()];
      for (int j = 0; j < s.state.length; j++) {
        s.state[j] = (float) r.nextGaussian();
      }
      for (int j = 0; j < s.action.length; j++) {
        s.action[j] = s.state[j];
      }
      return s;
    }).toList();
  }

  static List<TrainingSample> withActionsScaled(List<TrainingSample> samples, float factor) {
    for (TrainingSample s : samples) {
      for (int j = 0; j < s.action.length; j++) {
        s.action[j] *= factor;
      }
    }
    return samples;
  }

  static KeyedOneInputStreamOperatorTestHarness<String, TrainingSample, PolicyVersion> trainer(
      TrainerConfig config, OperatorSubtaskState restoreFrom) throws Exception {
    var harness = Harnesses.keyed(new MicroBatchTrainer(config), s -> config.policyName(), restoreFrom);
    harness.setProcessingTime(BEGINNING);
    return harness;
  }

  static void feed(KeyedOneInputStreamOperatorTestHarness<String, TrainingSample, PolicyVersion> h, List<TrainingSample> in)
      throws Exception {
    for (TrainingSample s : in) {
      h.processElement(s, 0);
    }
  }

  static PolicySnapshot snapshotOf(PolicyVersion v) {
    return PolicySnapshotCodec.decode(v.snapshot);
  }

  @Test
  void shouldPublishAServingSnapshotEveryNAcceptedSteps() throws Exception {
    var harness = trainer(CONFIG, null);
    feed(harness, samples(16, 1, 1.0));

    List<PolicyVersion> versions = harness.extractOutputValues();
    assertThat(versions).extracting(v -> v.version).containsExactly(1L, 2L);
    assertThat(versions).extracting(v -> v.steps).containsExactly(2L, 4L);
    assertThat(versions.get(1).samples).isEqualTo(16);
    PolicySnapshot published = snapshotOf(versions.get(1));
    assertThat(published.hasOptimizerState()).isFalse();
    assertThat(published.version()).isEqualTo(2);
    assertThat(published.parameters()).isNotEqualTo(snapshotOf(versions.get(0)).parameters());
  }

  @Test
  void shouldTakeTheConfiguredStepsOnEachMicroBatch() throws Exception {
    var harness = trainer(new TrainerConfig("p", 4, 3, 5_000, 6, 3_600_000, SHAPE, 7, CONFIG.normalisation(), 100, 1e6), null);
    feed(harness, samples(8, 1, 1.0));

    assertThat(harness.extractOutputValues()).singleElement().satisfies(v -> {
      assertThat(v.steps).isEqualTo(6);
      assertThat(v.samples).isEqualTo(8);
    });
  }

  @Test
  void shouldTrainAPartialMicroBatchAfterTheMaximumWait() throws Exception {
    var harness = trainer(EVERY_STEP, null);
    feed(harness, samples(3, 2, 1.0));
    assertThat(harness.extractOutputValues()).isEmpty();

    harness.setProcessingTime(AFTER_MAX_WAIT);

    assertThat(harness.extractOutputValues()).singleElement().satisfies(v -> assertThat(v.samples).isEqualTo(3));
  }

  @Test
  void shouldNotTrainTheNextMicroBatchAtTheDeadlineOfAFullOne() throws Exception {
    var harness = trainer(EVERY_STEP, null);
    feed(harness, samples(4, 2, 1.0));
    assertThat(harness.extractOutputValues()).as("the full micro-batch is trained at once").hasSize(1);

    harness.setProcessingTime(ONE_SECOND_LATER);
    feed(harness, samples(1, 3, 1.0));
    harness.setProcessingTime(AFTER_MAX_WAIT);
    assertThat(harness.extractOutputValues()).as("the first micro-batch's deadline trains nothing").hasSize(1);
    assertThat(Harnesses.keysWithState(harness, MicroBatchTrainer.DEADLINE)).isEqualTo(1);

    harness.setProcessingTime(ONE_SECOND_LATER + 5_000);
    assertThat(harness.extractOutputValues()).extracting(v -> v.samples).containsExactly(4L, 5L);
    assertThat(harness.numProcessingTimeTimers()).isZero();
    assertThat(Harnesses.keysWithState(harness, MicroBatchTrainer.DEADLINE)).isZero();
  }

  @Test
  void shouldCarryTheModelAndTheOpenMicroBatchThroughASnapshot() throws Exception {
    List<TrainingSample> first = samples(10, 3, 1.0);
    List<TrainingSample> second = samples(14, 4, 1.0);
    var uninterrupted = trainer(CONFIG, null);
    feed(uninterrupted, first);
    feed(uninterrupted, second);

    var before = trainer(CONFIG, null);
    feed(before, first);
    OperatorSubtaskState saved = before.snapshot(1, BEGINNING);
    before.close();
    var after = trainer(CONFIG, saved);
    feed(after, second);

    List<PolicyVersion> all = uninterrupted.extractOutputValues();
    List<PolicyVersion> resumed = after.extractOutputValues();
    assertThat(resumed).extracting(v -> v.version).containsExactly(2L, 3L);
    PolicyVersion expected = all.get(all.size() - 1);
    PolicyVersion actual = resumed.get(resumed.size() - 1);
    assertThat(actual.version).isEqualTo(expected.version);
    assertThat(actual.steps).isEqualTo(expected.steps);
    assertThat(actual.samples).isEqualTo(24);
    assertThat(snapshotOf(actual).parameters()).isEqualTo(snapshotOf(expected).parameters());
  }

  static final TrainerConfig EVERY_STEP = new TrainerConfig("p", 4, 1, 5_000, 1, 3_600_000, SHAPE, 7, CONFIG.normalisation(), 100, 1e6);

  static Batch batchOf(List<TrainingSample> batch) {
    return Batch.of(batch.stream().map(s -> s.state).toArray(float[][]::new),
        batch.stream().map(s -> s.action).toArray(float[][]::new), batch.stream().mapToDouble(s -> s.weight).toArray(),
        DataType.FLOAT);
  }

  static PolicyLearner learner(TrainerConfig config) {
    return new PolicyLearner(new GaussianPolicy(config.policy(), DataType.FLOAT, config.seed()),
        new Prefiltered(config.normalisation()), new DivergenceGuard(config.maxMeanNorm(), config.maxLoss()));
  }

  /** The parameters a learner of this config has after stepping once on each batch, in order. */
  static double[] steppedOn(TrainerConfig config, List<List<TrainingSample>> batches) {
    PolicyLearner learner = learner(config);
    for (List<TrainingSample> batch : batches) {
      learner.step(batchOf(batch));
    }
    return learner.policy().params().toDoubleVector();
  }

  /** The output intensity (RMS norm of mu) the guard sees for these parameters on this batch. */
  static double intensity(PolicyLearner learner, List<TrainingSample> batch) {
    Batch b = batchOf(batch);
    learner.policy().evaluate(b.states(), b.actions());
    return learner.policy().lastMeanNorm();
  }

  @Test
  void shouldPublishTheParametersOfEveryStepItCounts() throws Exception {
    var harness = trainer(EVERY_STEP, null);
    List<TrainingSample> first = samples(4, 5, 1.0);
    feed(harness, first);

    PolicyVersion v1 = harness.extractOutputValues().get(0);
    assertThat(v1.steps).isEqualTo(1);
    assertThat(snapshotOf(v1).parameters()).isEqualTo(steppedOn(EVERY_STEP, List.of(first)))
        .isNotEqualTo(steppedOn(EVERY_STEP, List.of()));
  }

  @Test
  void shouldNeverPublishAPoisonedUpdate() throws Exception {
    var harness = trainer(EVERY_STEP, null);
    List<TrainingSample> good = samples(4, 5, 1.0);
    List<TrainingSample> poisoned = samples(4, 6, 1e12);
    List<TrainingSample> next = samples(4, 7, 1.0);
    feed(harness, good);
    feed(harness, poisoned);
    feed(harness, next);

    List<PolicyVersion> versions = harness.extractOutputValues();
    assertThat(versions).extracting(v -> v.rejectedSteps).containsExactly(0L, 1L);
    assertThat(versions).extracting(v -> v.steps).containsExactly(1L, 2L);
    assertThat(snapshotOf(versions.get(1)).parameters()).as("the poisoned step was never applied")
        .isEqualTo(steppedOn(EVERY_STEP, List.of(good, next)));
  }

  @Test
  void shouldNeverCheckpointAStepTheGuardWouldRollBack() throws Exception {
    // actions 10x further than the states: each step on them raises the output intensity
    List<TrainingSample> far = withActionsScaled(samples(4, 12, 1.0), 10);
    List<TrainingSample> next = samples(4, 14, 1.0);
    int steps = 20;
    PolicyLearner reference = learner(EVERY_STEP);
    double checked = 0;
    for (int i = 0; i < steps; i++) {
      checked = Math.max(checked, intensity(reference, far)); // the check at the start of each step
      reference.step(batchOf(far));
    }
    double afterLast = intensity(reference, far);
    assertThat(afterLast).as("the last step raises the intensity above every check before it").isGreaterThan(checked);
    // a bound only the last step of the micro-batch crosses: no check sees it before the checkpoint
    TrainerConfig bounded = new TrainerConfig("p", 4, steps, 5_000, 1_000, 3_600_000, SHAPE, 7, CONFIG.normalisation(),
        (checked + afterLast) / 2, 1e6);
    var before = trainer(bounded, null);
    feed(before, far);
    OperatorSubtaskState saved = before.snapshot(1, BEGINNING);
    before.close();

    // restored under a looser bound, which would keep that step had it been checkpointed
    var after = trainer(EVERY_STEP, saved);
    feed(after, next);

    PolicyVersion first = after.extractOutputValues().get(0);
    assertThat(first.steps).isEqualTo(steps);
    assertThat(first.rejectedSteps).isEqualTo(1);
    List<List<TrainingSample>> checkpointed = new ArrayList<>(Collections.nCopies(steps - 1, far));
    checkpointed.add(next);
    List<List<TrainingSample>> unchecked = new ArrayList<>(Collections.nCopies(steps, far));
    unchecked.add(next);
    assertThat(snapshotOf(first).parameters()).as("the checkpoint held the last parameters that passed the guard")
        .isEqualTo(steppedOn(EVERY_STEP, checkpointed))
        .isNotEqualTo(steppedOn(EVERY_STEP, unchecked));
  }

  @Test
  void shouldPublishTheAcceptedStepsOfAMicroBatchWhoseLaterStepTheGuardRejected() throws Exception {
    // actions 10x further than the states: the output intensity grows, not at every step; after step j it
    // first passes all before it (j >= 2), and a bound between them lets steps 1..j through, and the check
    // at step j + 1 undoes step j: j - 1 accepted steps, then a rejected one
    List<TrainingSample> far = withActionsScaled(samples(4, 12, 1.0), 10);
    PolicyLearner reference = learner(EVERY_STEP);
    double highest = intensity(reference, far); // the highest of I_0 .. I_(j-1)
    double next = highest;
    int j = 0;
    while (j < 2 || next <= highest) {
      highest = Math.max(highest, next);
      reference.step(batchOf(far));
      j++;
      next = intensity(reference, far);
      assertThat(j).as("the intensity passes its earlier highs within 50 steps").isLessThan(50);
    }
    TrainerConfig bounded = new TrainerConfig("p", 4, j + 1, 5_000, 1_000, 1_000, SHAPE, 7, CONFIG.normalisation(),
        (highest + next) / 2, 1e6);
    long accepted = j - 1;
    var harness = trainer(bounded, null);
    feed(harness, far);
    assertThat(harness.extractOutputValues()).as("fewer steps than publish-every-steps: not yet").isEmpty();

    harness.setProcessingTime(BEGINNING + 1_000);

    assertThat(harness.extractOutputValues()).as("the publish interval ended without more input").singleElement().satisfies(v -> {
      assertThat(v.steps).isEqualTo(accepted);
      assertThat(v.rejectedSteps).isEqualTo(1);
      assertThat(v.learnedSamples).isEqualTo(4);
    });
    assertThat(harness.numProcessingTimeTimers()).isZero();
    assertThat(Harnesses.keysWithState(harness, MicroBatchTrainer.DEADLINE, MicroBatchTrainer.PUBLISH_DUE)).isZero();
  }

  @Test
  void shouldRememberNothingOfSamplesWhoseEveryStepTheGuardRejected() throws Exception {
    var harness = trainer(EVERY_STEP, null);
    for (int batch = 0; batch < 50; batch++) {
      feed(harness, appendedAt(samples(4, 100 + batch, 1e12), BEGINNING));
    }
    OperatorSubtaskState saved = harness.snapshot(1, BEGINNING);
    harness.close();
    var restored = trainer(EVERY_STEP, saved);
    feed(restored, appendedAt(samples(4, 5, 1.0), BEGINNING));

    assertThat(restored.extractOutputValues()).singleElement().satisfies(v -> {
      assertThat(v.rejectedSteps).isEqualTo(50);
      assertThat(Provenance.lags(v.sampleLags).getTotalCount()).as("the provenance holds the trained samples only").isEqualTo(4);
    });
  }

  static List<TrainingSample> appendedAt(List<TrainingSample> samples, long appendMs) {
    for (TrainingSample s : samples) {
      s.sample.appendMs = appendMs;
    }
    return samples;
  }

  @Test
  void shouldContinueUnderANewLearningRateButRefuseANewShape() throws Exception {
    var before = trainer(CONFIG, null);
    feed(before, samples(8, 9, 1.0));
    OperatorSubtaskState saved = before.snapshot(1, BEGINNING);
    before.close();

    TrainerConfig faster = new TrainerConfig("p", 4, 1, 5_000, 2, 3_600_000, SHAPE.withLearningRate(1e-3), 7,
        Prefiltered.Normalisation.SUM, 100, 1e6);
    var after = trainer(faster, saved);
    feed(after, samples(8, 10, 1.0));
    assertThat(after.extractOutputValues()).singleElement().satisfies(v -> {
      assertThat(v.version).isEqualTo(2);
      assertThat(snapshotOf(v).config().learningRate()).isEqualTo(1e-3);
    });

    TrainerConfig wider = new TrainerConfig("p", 4, 1, 5_000, 2, 3_600_000, new PolicyConfig(4, new int[] {16}, 3, -5, 1, -1, 1e-2),
        7, CONFIG.normalisation(), 100, 1e6);
    assertThatThrownBy(() -> trainer(wider, saved)).hasStackTraceContaining("cannot continue from this savepoint");
    TrainerConfig linear = new TrainerConfig("p", 4, 1, 5_000, 2, 3_600_000, SHAPE.withBackbone(PolicyConfig.Backbone.MLP_LINEAR),
        7, CONFIG.normalisation(), 100, 1e6);
    assertThatThrownBy(() -> trainer(linear, saved)).hasStackTraceContaining("cannot continue from this savepoint");
  }

  @Test
  void shouldPublishATrickleOfStepsWhenThePublishIntervalEnds() throws Exception {
    TrainerConfig everySecond = new TrainerConfig("p", 320, 1, 200, 1_000, 1_000, SHAPE, 7, CONFIG.normalisation(), 100, 1e6);
    var harness = trainer(everySecond, null);
    feed(harness, samples(3, 2, 1.0));
    harness.setProcessingTime(BEGINNING + 200);
    assertThat(harness.extractOutputValues()).as("trained at the maximum wait, not published yet").isEmpty();

    harness.setProcessingTime(BEGINNING + 1_000);

    assertThat(harness.extractOutputValues()).singleElement().satisfies(v -> {
      assertThat(v.steps).isEqualTo(1);
      assertThat(v.learnedSamples).isEqualTo(3);
    });
    assertThat(harness.numProcessingTimeTimers()).isZero();
    assertThat(Harnesses.keysWithState(harness, MicroBatchTrainer.DEADLINE, MicroBatchTrainer.PUBLISH_DUE)).isZero();
  }

  @Test
  void shouldPublishStepsTrainedBeforeARestoreWhenTheRestoredIntervalEnds() throws Exception {
    TrainerConfig everySecond = new TrainerConfig("p", 320, 1, 200, 1_000, 1_000, SHAPE, 7, CONFIG.normalisation(), 100, 1e6);
    var before = trainer(everySecond, null);
    feed(before, samples(3, 2, 1.0));
    before.setProcessingTime(BEGINNING + 200);
    OperatorSubtaskState saved = before.snapshot(1, BEGINNING + 200);
    before.close();

    var after = trainer(everySecond, saved);
    after.setProcessingTime(BEGINNING + 1_000);

    assertThat(after.extractOutputValues()).singleElement().satisfies(v -> {
      assertThat(v.steps).isEqualTo(1);
      assertThat(v.learnedSamples).isEqualTo(3);
    });
    assertThat(after.numProcessingTimeTimers()).isZero();
  }

  @Test
  void shouldStampEachVersionWithWhenWhatItNewlyLearnedHappenedAndWasAppended() throws Exception {
    var harness = trainer(CONFIG, null);
    List<TrainingSample> in = samples(16, 11, 1.0);
    for (int i = 0; i < in.size(); i++) {
      in.get(i).sample.ts = BEGINNING - 1_000 + i;
      in.get(i).sample.appendMs = BEGINNING - 300 + i;
    }
    in.get(9).sample.appendMs = -1; // not read from Kafka: no append time
    feed(harness, in);

    List<PolicyVersion> versions = harness.extractOutputValues();
    assertThat(versions).extracting(v -> v.learnedSamples).containsExactly(8L, 8L);
    PolicyVersion second = versions.get(1);
    assertThat(second.oldestEventTs).isEqualTo(BEGINNING - 1_000 + 8);
    assertThat(second.newestEventTs).isEqualTo(BEGINNING - 1_000 + 15);
    assertThat(second.oldestAppendMs).isEqualTo(BEGINNING - 300 + 8);
    assertThat(second.newestAppendMs).isEqualTo(BEGINNING - 300 + 15);
    var lags = Provenance.lags(second.sampleLags);
    assertThat(lags.getTotalCount()).as("the samples whose append time is known").isEqualTo(7);
    assertThat(lags.valuesAreEquivalent(lags.getMinValue(), 300 - 15)).isTrue();
    assertThat(lags.valuesAreEquivalent(lags.getMaxValue(), 300 - 8)).isTrue();
  }
}
