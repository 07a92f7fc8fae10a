package dev.drpo.operators.train;

import dev.drpo.model.learn.Batch;
import dev.drpo.model.learn.DivergenceGuard;
import dev.drpo.model.learn.PolicyLearner;
import dev.drpo.model.learn.StepResult;
import dev.drpo.model.objective.Prefiltered;
import dev.drpo.model.policy.GaussianPolicy;
import dev.drpo.model.policy.PolicyConfig;
import dev.drpo.model.snapshot.PolicySnapshot;
import dev.drpo.model.snapshot.PolicySnapshotCodec;
import dev.drpo.operators.filter.TrainingSample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Collects admitted, encoded samples into micro-batches and takes {@code stepsPerBatch} DRPO gradient steps on the
 * Gaussian policy ({@link PolicyLearner} behind the {@link DivergenceGuard}); publishes a
 * {@link PolicyVersion} as soon as it has trained on new samples and either {@code publishEverySteps}
 * accepted steps or {@code publishIntervalMs} have passed since the last one (a processing-time
 * timer publishes steps that no later batch follows). Each version carries the provenance of the
 * samples it newly learned from ({@link Provenance}: event and Kafka append times).
 * What is published is always the learner's last good parameters, checked by the guard on the
 * micro-batch just trained ({@link PolicyLearner#verify}) right before, so a version's parameters
 * are those of every step it counts, and a poisoned update (NaN, an exploding loss or output)
 * never reaches the scorers.
 *
 * <p>Runs with parallelism 1, keyed by the policy name only to have timers: a partial micro-batch
 * is trained {@code maxWaitMs} after its first sample, and a batch that fills first deletes its
 * timer ({@link #DEADLINE}); trained steps not yet published are published by a timer at the end
 * of the interval ({@link #PUBLISH_DUE}). The rest is operator state, written only at checkpoints: the
 * policy with its Adam state (codec bytes, about 0.6 MB for the paper's network), the samples of
 * the micro-batch being filled, the provenance of the samples trained since the last version, and
 * the counters (version, steps, samples, rejected steps, steps since the last version); the last
 * step is checked like a published one before it is written.
 * Keeping the live model in keyed state would serialise it on every step. A restore with a different learning rate or
 * weighting continues from the saved parameters; a different network shape is refused.
 *
 * <p>Metrics: policyVersion, trainSteps, trainStepsPerSecond, trainedSamples, rejectedSteps, loss,
 * meanNorm and meanLogSigma (the output intensity the divergence guard watches), sampleLagMs
 * (histogram: wall time at the trainer minus each sample's Kafka append time), freshnessMs (the
 * last version's publish time minus the newest append time it learned from).
 */
public class MicroBatchTrainer extends KeyedProcessFunction<String, TrainingSample, PolicyVersion>
    implements CheckpointedFunction {
  /** Keyed (by policy name): when the open micro-batch is trained at the latest; its timer's time. */
  public static final ValueStateDescriptor<Long> DEADLINE = new ValueStateDescriptor<>("micro-batch-deadline", Types.LONG);
  /** Keyed (by policy name): when trained, unpublished steps are published at the latest; its timer's time. */
  public static final ValueStateDescriptor<Long> PUBLISH_DUE = new ValueStateDescriptor<>("publish-due", Types.LONG);

  private final TrainerConfig config;
  private transient ValueState<Long> deadline;
  private transient ValueState<Long> publishDue;
  private transient ListState<Provenance> savedProvenance;
  private transient Provenance provenance;
  private transient long freshnessMs;
  private transient Histogram sampleLag;
  private transient ListState<byte[]> savedPolicy;
  private transient ListState<TrainingSample> savedBatch;
  private transient ListState<Long> savedCounters;
  private transient PolicyLearner learner;
  /** The micro-batch of the last step, to check that step before a checkpoint. */
  private transient Batch lastTrained;
  private transient List<TrainingSample> batch;
  private transient long version;
  private transient long steps;
  private transient long samples;
  private transient long rejected;
  private transient int stepsSincePublish;
  private transient long samplesAtLastVersion;
  private transient long lastPublishMs;
  private transient StepResult last;
  private transient double lastKeepFraction;
  private transient double lastThreshold;
  private transient Counter trainedSamples;
  private transient Meter stepsPerSecond;

  public MicroBatchTrainer(TrainerConfig config) {
    this.config = config;
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    savedPolicy = context.getOperatorStateStore().getListState(
        new ListStateDescriptor<>("policy", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    savedBatch = context.getOperatorStateStore().getListState(
        new ListStateDescriptor<>("micro-batch", TypeInformation.of(TrainingSample.class)));
    savedCounters = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("counters", Types.LONG));
    savedProvenance = context.getOperatorStateStore().getListState(
        new ListStateDescriptor<>("provenance", TypeInformation.of(Provenance.class)));
    provenance = new Provenance();
    for (Provenance p : savedProvenance.get()) {
      provenance = p;
    }
    batch = new ArrayList<>();
    GaussianPolicy policy = new GaussianPolicy(config.policy(), DataType.FLOAT, config.seed());
    for (byte[] bytes : savedPolicy.get()) {
      policy = restore(PolicySnapshotCodec.decode(bytes), config.policy());
    }
    for (TrainingSample s : savedBatch.get()) {
      batch.add(s);
    }
    List<Long> counters = new ArrayList<>();
    savedCounters.get().forEach(counters::add);
    if (!counters.isEmpty()) {
      version = counters.get(0);
      steps = counters.get(1);
      samples = counters.get(2);
      rejected = counters.get(3);
      stepsSincePublish = counters.get(4).intValue();
      samplesAtLastVersion = counters.size() > 5 ? counters.get(5) : samples;
    }
    learner = new PolicyLearner(policy, new Prefiltered(config.normalisation()),
        new DivergenceGuard(config.maxMeanNorm(), config.maxLoss()));
  }

  /** The saved parameters and Adam state under the configured learning rate; the shape must match. */
  static GaussianPolicy restore(PolicySnapshot saved, PolicyConfig configured) {
    PolicyConfig was = saved.config();
    if (was.stateDim() != configured.stateDim() || was.actionDim() != configured.actionDim()
        || !Arrays.equals(was.hidden(), configured.hidden()) || was.backbone() != configured.backbone()) {
      throw new IllegalStateException("the saved policy has shape " + was + " but the job is configured for "
          + configured + ": a changed state dimension, embedding dimension or network cannot continue from this savepoint");
    }
    return GaussianPolicy.fromSnapshot(new PolicySnapshot(saved.version(), saved.parentVersion(), saved.createdAtMs(),
        configured, saved.precision(), saved.parameters(), saved.optimizerState(), saved.optimizerIteration()));
  }

  @Override
  public void open(OpenContext openContext) {
    if (getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks() != 1) {
      throw new IllegalStateException("the micro-batch trainer holds one policy and must run with parallelism 1");
    }
    deadline = getRuntimeContext().getState(DEADLINE);
    publishDue = getRuntimeContext().getState(PUBLISH_DUE);
    freshnessMs = -1;
    MetricGroup metrics = getRuntimeContext().getMetricGroup();
    metrics.gauge("policyVersion", () -> version);
    metrics.gauge("trainSteps", () -> steps);
    metrics.gauge("rejectedSteps", () -> rejected);
    metrics.gauge("loss", () -> last == null ? Double.NaN : last.loss());
    metrics.gauge("meanNorm", () -> last == null ? Double.NaN : last.meanNorm());
    metrics.gauge("meanLogSigma", () -> last == null ? Double.NaN : last.meanLogSigma());
    trainedSamples = metrics.counter("trainedSamples");
    stepsPerSecond = metrics.meter("trainStepsPerSecond", new MeterView(60));
    sampleLag = metrics.histogram("sampleLagMs", new DescriptiveStatisticsHistogram(1_000));
    metrics.gauge("freshnessMs", () -> freshnessMs);
  }

  @Override
  public void processElement(TrainingSample sample, Context ctx, Collector<PolicyVersion> out) throws Exception {
    batch.add(sample);
    long now = ctx.timerService().currentProcessingTime();
    if (sample.sample.appendMs >= 0) {
      sampleLag.update(now - sample.sample.appendMs);
    }
    if (lastPublishMs == 0) {
      lastPublishMs = now;
    }
    if (batch.size() == 1) {
      long due = now + config.maxWaitMs();
      ctx.timerService().registerProcessingTimeTimer(due);
      deadline.update(due);
    }
    if (batch.size() >= config.batchSize()) {
      Long due = deadline.value();
      if (due != null) { // null for a batch restored from a savepoint older than this state
        ctx.timerService().deleteProcessingTimeTimer(due);
      }
      deadline.clear();
      train(now, ctx.timerService(), out);
    }
  }

  /** The open micro-batch's deadline (a full batch deletes its own), or the end of the publish interval. */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<PolicyVersion> out) throws Exception {
    Long due = deadline.value();
    if (due != null && due <= timestamp) {
      deadline.clear();
      if (!batch.isEmpty()) {
        train(timestamp, ctx.timerService(), out);
      }
    }
    due = publishDue.value();
    if (due != null && due <= timestamp) {
      publishDue.clear();
      if (stepsSincePublish > 0 && !publish(timestamp, out)) {
        waitToPublish(timestamp, ctx.timerService());
      }
    }
  }

  /**
   * Steps the policy on the open micro-batch: {@code stepsPerBatch} steps, or fewer if the guard
   * rejects one (the rest of the batch is dropped). What the accepted steps learned is published
   * when enough steps or the publish interval say so, else a timer waits for the interval's end.
   */
  private void train(long now, TimerService timers, Collector<PolicyVersion> out) throws Exception {
    int n = batch.size();
    float[][] states = new float[n][];
    float[][] actions = new float[n][];
    double[] weights = new double[n];
    for (int i = 0; i < n; i++) {
      TrainingSample s = batch.get(i);
      states[i] = s.state;
      actions[i] = s.action;
      weights[i] = s.weight;
    }
    Batch micro = Batch.of(states, actions, weights, DataType.FLOAT);
    int accepted = 0;
    for (int step = 0; step < config.stepsPerBatch(); step++) {
      last = learner.step(micro);
      if (!last.accepted()) {
        reject(last.undone());
        if (last.undone() && accepted > 0) {
          accepted--;
        }
        break;
      }
      accepted++;
      steps++;
      stepsSincePublish++;
      stepsPerSecond.markEvent();
    }
    if (accepted > 0) {
      lastTrained = micro; // the batch publish verifies the last step on
      learnedFrom(batch);
    }
    batch.clear();
    if (stepsSincePublish == 0) {
      provenance = new Provenance(); // every step since the last version was undone: they learned nothing
      return;
    }
    Long due = publishDue.value();
    if (stepsSincePublish >= config.publishEverySteps() || now - lastPublishMs >= config.publishIntervalMs()) {
      if (due != null) {
        timers.deleteProcessingTimeTimer(due);
        publishDue.clear();
      }
      if (!publish(now, out)) {
        waitToPublish(now, timers);
      }
    } else if (due == null) {
      timers.registerProcessingTimeTimer(lastPublishMs + config.publishIntervalMs());
      publishDue.update(lastPublishMs + config.publishIntervalMs());
    }
  }

  /** The samples of a micro-batch some step learned from: counted, and in the next version's provenance. */
  private void learnedFrom(List<TrainingSample> trained) {
    double keepFraction = 0;
    double threshold = 0;
    for (TrainingSample s : trained) {
      keepFraction += s.keepFraction / trained.size();
      threshold += s.threshold / trained.size();
      provenance.add(s.sample.ts, s.sample.appendMs);
    }
    lastKeepFraction = keepFraction;
    lastThreshold = threshold;
    samples += trained.size();
    trainedSamples.inc(trained.size());
  }

  /** The guard refused to publish: the steps left wait for another publish interval (a timer), not for more input. */
  private void waitToPublish(long now, TimerService timers) throws Exception {
    if (stepsSincePublish == 0) {
      provenance = new Provenance();
      return;
    }
    timers.registerProcessingTimeTimer(now + config.publishIntervalMs());
    publishDue.update(now + config.publishIntervalMs());
  }

  /**
   * Publishes the last good parameters once they pass the guard on the micro-batch just trained
   * (steps restored from a checkpoint passed it before they were written); false if they did not.
   */
  private boolean publish(long now, Collector<PolicyVersion> out) {
    if (lastTrained != null && learner.verify(lastTrained) != null) {
      reject(true);
      return false;
    }
    out.collect(version(now));
    return true;
  }

  /** Counts a rejected step; one that undid the last applied step takes that step off the count. */
  private void reject(boolean undone) {
    rejected++;
    if (undone) {
      steps--;
      stepsSincePublish = Math.max(0, stepsSincePublish - 1);
    }
  }

  private PolicyVersion version(long now) {
    version++;
    stepsSincePublish = 0;
    lastPublishMs = now;
    PolicyVersion v = new PolicyVersion();
    v.policyName = config.policyName();
    v.version = version;
    v.createdAtMs = now;
    v.steps = steps;
    v.samples = samples;
    v.rejectedSteps = rejected;
    v.keepFraction = lastKeepFraction;
    v.threshold = lastThreshold;
    v.loss = last == null ? Double.NaN : last.loss(); // null: published by the timer restored with its steps
    v.learnedSamples = samples - samplesAtLastVersion;
    samplesAtLastVersion = samples;
    provenance.stamp(v, now);
    freshnessMs = v.newestAppendMs < 0 ? -1 : now - v.newestAppendMs;
    provenance = new Provenance();
    // verified just before: the parameters of every step counted in v.steps
    v.snapshot = PolicySnapshotCodec.encode(learner.lastGood().toSnapshot(version, version - 1, now, false));
    return v;
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    // the last step is checked as the next one would be: a restored learner takes what it finds as its
    // last good parameters, so a checkpoint must never hold a step the guard would roll back
    if (lastTrained != null && learner.verify(lastTrained) != null) {
      reject(true);
    }
    savedPolicy.update(List.of(PolicySnapshotCodec.encode(
        learner.policy().toSnapshot(version, version - 1, System.currentTimeMillis(), true))));
    savedBatch.update(batch);
    savedCounters.update(List.of(version, steps, samples, rejected, (long) stepsSincePublish, samplesAtLastVersion));
    savedProvenance.update(List.of(provenance));
  }
}
