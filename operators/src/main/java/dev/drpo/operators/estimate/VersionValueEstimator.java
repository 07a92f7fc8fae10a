package dev.drpo.operators.estimate;

import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.model.catalog.ItemCatalog.Ranking;
import dev.drpo.model.catalog.ItemCatalog.Similarity;
import dev.drpo.model.filter.StateValue;
import dev.drpo.model.policy.GaussianPolicy;
import dev.drpo.model.policy.PolicyMean;
import dev.drpo.model.snapshot.PolicySnapshotCodec;
import dev.drpo.model.state.StateEncoder;
import dev.drpo.model.state.StateEncoder.Interaction;
import dev.drpo.operators.catalog.CatalogLoader;
import dev.drpo.operators.catalog.LiveCatalog;
import dev.drpo.operators.serve.Exploration;
import dev.drpo.operators.serve.ScorerConfig;
import dev.drpo.operators.serve.ServingUpdate;
import dev.drpo.operators.train.PolicyVersion;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.operators.YieldingOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Estimates each policy version's value before it serves, on its way to the policy-versions topic:
 * {@link ValueEstimate} of the reward per answer over the last {@code window} answers whose
 * interaction came back with the propensity the answer gave (input 1: the scorers' {@link
 * LoggedChoice}s, with the state and exclusions their requests had). For each of them it computes
 * the version's mean action from that state, searches its candidates as the scorer does (the same
 * exclusions, retrieval and number of candidates) and takes the probability that the scorer's
 * serving mix would show the logged item first ({@link Exploration#firstSlotProbability}). Only
 * answers of exploration {@code softmax} carry propensities; with {@code gaussian} (no closed form),
 * with no logged answer yet, or while the catalog loads, versions pass without an estimate.
 *
 * <p>Input 2 is the scorers' broadcast: policy versions, stamped with {@link PolicyVersion#estimate}
 * and emitted in order, and catalog updates, which it applies to its TaskManager's shared catalog
 * ({@link LiveCatalog}; an answer whose item has left the catalog is left out). The scorers receive
 * each version straight from the trainer: the estimate delays the topic, never serving. Operator
 * state: the window (parallelism 1).
 *
 * <p>Metrics: estimatedReward, estimateLow, estimateHigh, estimateEffectiveAnswers, windowReward
 * (the last version's {@link ValueEstimate}), estimateWindow (answers held), estimateMillis (what
 * the last estimate took on the task thread), versionsEstimated.
 */
public class VersionValueEstimator extends AbstractStreamOperator<PolicyVersion>
    implements TwoInputStreamOperator<LoggedChoice, ServingUpdate, PolicyVersion>, YieldingOperator<PolicyVersion> {
  static final ListStateDescriptor<LoggedChoice> WINDOW =
      new ListStateDescriptor<>("answers-with-propensities", TypeInformation.of(LoggedChoice.class));

  private final ScorerConfig scorer;
  private final CatalogLoader catalogLoader;
  private final int window;
  private transient MailboxExecutor mailbox;
  private transient ListState<LoggedChoice> windowState;
  private transient ArrayDeque<LoggedChoice> recent;
  private transient LiveCatalog live;
  private transient ItemCatalog catalog;
  private transient StateEncoder encoder;
  private transient ValueEstimate last;
  private transient long lastMillis;
  private transient Counter estimated;

  /**
   * @param scorer the scorers' settings: their exploration, exclusions, state and retrieval
   * @param window how many of the newest logged answers an estimate uses (>= 1)
   */
  public VersionValueEstimator(ScorerConfig scorer, CatalogLoader catalogLoader, int window) {
    if (window < 1) {
      throw new IllegalArgumentException("trainer.estimate-window must be >= 1, got " + window);
    }
    this.scorer = scorer;
    this.catalogLoader = catalogLoader;
    this.window = window;
  }

  @Override
  public void setMailboxExecutor(MailboxExecutor mailbox) {
    this.mailbox = mailbox;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    windowState = context.getOperatorStateStore().getListState(WINDOW);
    recent = new ArrayDeque<>();
    windowState.get().forEach(this::keep);
  }

  @Override
  public void open() throws Exception {
    super.open();
    encoder = new StateEncoder(scorer.userFeatureDim(), catalogLoader.dimension(), scorer.historyLength());
    last = new ValueEstimate();
    var metrics = getMetricGroup();
    estimated = metrics.counter("versionsEstimated");
    metrics.gauge("estimatedReward", () -> last.reward);
    metrics.gauge("estimateLow", () -> last.low);
    metrics.gauge("estimateHigh", () -> last.high);
    metrics.gauge("estimateEffectiveAnswers", () -> last.effectiveAnswers);
    metrics.gauge("windowReward", () -> last.servedReward);
    metrics.gauge("estimateWindow", () -> recent.size());
    metrics.gauge("estimateMillis", () -> lastMillis);
    live = LiveCatalog.start(getRuntimeContext().getJobInfo().getJobId().toString(), catalogLoader, scorer.retrieval(),
        "version-estimator", LiveCatalog.TaskThread.of(mailbox), "version estimator", false);
    live.whenLoaded(() -> catalog = live.catalog());
  }

  @Override
  public void processElement1(StreamRecord<LoggedChoice> record) {
    keep(record.getValue());
  }

  private void keep(LoggedChoice answer) {
    recent.addLast(answer);
    if (recent.size() > window) {
      recent.removeFirst();
    }
  }

  @Override
  public void processElement2(StreamRecord<ServingUpdate> record) {
    ServingUpdate update = record.getValue();
    if (update.item != null) {
      live.apply(update.item);
      return;
    }
    PolicyVersion version = update.version;
    if (catalog != null && !recent.isEmpty() && scorer.exploration().mode() != Exploration.Mode.GAUSSIAN) {
      long start = System.nanoTime();
      version.estimate = estimate(version);
      lastMillis = (System.nanoTime() - start) / 1_000_000;
      last = version.estimate;
      estimated.inc();
    }
    output.collect(new StreamRecord<>(version));
  }

  /** The version's estimate over the window's answers whose item is in the catalog. */
  ValueEstimate estimate(PolicyVersion version) {
    PolicyMean mean = PolicyMean.of(GaussianPolicy.fromSnapshot(PolicySnapshotCodec.decode(version.snapshot)));
    List<LoggedChoice> samples = new ArrayList<>(recent.size());
    for (LoggedChoice s : recent) {
      if (catalog.embedding(s.itemId) != null) {
        samples.add(s);
      }
    }
    int n = samples.size();
    int dim = encoder.stateDim();
    float[] states = new float[n * dim];
    double[] target = new double[n];
    double[] logged = new double[n];
    double[] reward = new double[n];
    StateValue value = new StateValue(dim, 1);
    for (int i = 0; i < n; i++) {
      LoggedChoice s = samples.get(i);
      float[] state = state(s);
      System.arraycopy(state, 0, states, i * dim, dim);
      logged[i] = s.propensity;
      reward[i] = s.reward;
      value.add(state, s.reward);
    }
    value.solve();
    double[] baseline = new double[n];
    for (int from = 0; from < n; from += scorer.maxBatch()) {
      int b = Math.min(scorer.maxBatch(), n - from);
      float[] batch = Arrays.copyOfRange(states, from * dim, (from + b) * dim);
      List<Set<String>> excludes = new ArrayList<>(b);
      for (int i = 0; i < b; i++) {
        excludes.add(new HashSet<>(Arrays.asList(samples.get(from + i).excluded)));
      }
      Ranking[] candidates = catalog.topK(mean.apply(batch, b), b, scorer.exploration().searchSize(1), excludes,
          Similarity.COSINE);
      for (int i = 0; i < b; i++) {
        target[from + i] = scorer.exploration().firstSlotProbability(candidates[i], samples.get(from + i).itemId);
        baseline[from + i] = value.value(Arrays.copyOfRange(batch, i * dim, (i + 1) * dim));
      }
    }
    return ValueEstimate.doublyRobust(target, logged, reward, baseline, n);
  }

  private float[] state(LoggedChoice s) {
    List<Interaction> session = new ArrayList<>(s.sessionItems.length);
    for (int i = 0; i < s.sessionItems.length; i++) {
      session.add(new Interaction(s.sessionItems[i], s.sessionRewards[i]));
    }
    return encoder.encode(s.userFeatures, session, catalog);
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    windowState.update(new ArrayList<>(recent));
  }

  @Override
  public void close() throws Exception {
    try {
      if (live != null) {
        live.close();
      }
    } finally {
      super.close();
    }
  }
}
