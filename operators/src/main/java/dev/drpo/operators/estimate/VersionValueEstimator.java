package dev.drpo.operators.estimate;

import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.model.catalog.ItemCatalog.Ranking;
import dev.drpo.model.catalog.ItemCatalog.Similarity;
import dev.drpo.model.filter.StateValue;
import dev.drpo.model.policy.GaussianPolicy;
import dev.drpo.model.policy.PolicyMean;
import dev.drpo.model.snapshot.PolicySnapshotCodec;
import dev.drpo.model.state.StateEncoder;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Estimates each policy version's value before it serves, on its way to the policy-versions topic:
 * {@link ValueEstimate} of the reward of the first item over the last {@code window} answers whose
 * first item the user took (input 1: the scorers' {@link LoggedChoice}s, each as the answer was
 * given: its state, exclusions, k, first item and propensity, and the reward). For each of them it
 * computes the version's mean action from that state, searches its candidates as the scorer does
 * (the same exclusions, retrieval and number of candidates) and takes the probability that the
 * scorer's serving mix would show the logged item first ({@link Exploration#firstSlotProbability}).
 * Only answers of exploration {@code softmax} are logged; with another mode, with no logged answer
 * yet, or while the catalog loads, versions pass without an estimate. An estimate that cannot be
 * made (a version whose dimensions are not the scorers') leaves its version without one
 * ({@code estimateFailures}); a logged answer it cannot use (a state of another length, no
 * propensity in (0, 1], no finite reward), received or restored, is dropped ({@code
 * loggedAnswersDropped}): never a failed job.
 *
 * <p>Input 2 is the scorers' broadcast: policy versions, stamped with {@link PolicyVersion#estimate}
 * and emitted in order, and catalog updates, which it applies to its TaskManager's shared catalog
 * ({@link LiveCatalog}; an answer whose item has left the catalog is left out). The scorers receive
 * each version straight from the trainer; the estimate runs on this operator's task thread, where
 * the logged answers queue meanwhile (behind them, if its input buffers fill, the scorers wait).
 * Operator state: the window (parallelism 1).
 *
 * <p>Metrics: estimatedReward, estimateLow, estimateHigh, estimateEffectiveAnswers, windowReward
 * (the last version's {@link ValueEstimate}), estimateWindow (answers held), estimateMillis (what
 * the last estimate took on the task thread), versionsEstimated, estimateFailures, loggedAnswersDropped.
 */
public class VersionValueEstimator extends AbstractStreamOperator<PolicyVersion>
    implements TwoInputStreamOperator<LoggedChoice, ServingUpdate, PolicyVersion>, YieldingOperator<PolicyVersion> {
  private static final Logger LOG = LoggerFactory.getLogger(VersionValueEstimator.class);
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
  private transient int stateDim;
  private transient ValueEstimate last;
  private transient long lastMillis;
  private transient Counter estimated;
  private transient Counter failures;
  private transient Counter dropped;

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
    stateDim = new StateEncoder(scorer.userFeatureDim(), catalogLoader.dimension(), scorer.historyLength()).stateDim();
    dropped = getMetricGroup().counter("loggedAnswersDropped");
    windowState = context.getOperatorStateStore().getListState(WINDOW);
    recent = new ArrayDeque<>();
    windowState.get().forEach(this::keep);
  }

  @Override
  public void open() throws Exception {
    super.open();
    last = new ValueEstimate();
    var metrics = getMetricGroup();
    estimated = metrics.counter("versionsEstimated");
    failures = metrics.counter("estimateFailures");
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

  /** Keeps an answer in the window if an estimate can use it (else counts it), the window's newest. */
  private void keep(LoggedChoice answer) {
    if (answer.state == null || answer.state.length != stateDim || answer.excluded == null || answer.itemId == null
        || !(answer.propensity > 0 && answer.propensity <= 1) || !Double.isFinite(answer.reward)) {
      dropped.inc();
      return;
    }
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
    if (catalog != null && !recent.isEmpty() && scorer.exploration().mode() == Exploration.Mode.SOFTMAX) {
      long start = System.nanoTime();
      try {
        version.estimate = estimate(version);
        last = version.estimate;
        estimated.inc();
      } catch (RuntimeException e) {
        failures.inc();
        LOG.warn("no estimate for policy {} v{}: {}", version.policyName, version.version, e.toString());
      }
      lastMillis = (System.nanoTime() - start) / 1_000_000;
    }
    output.collect(new StreamRecord<>(version));
  }

  /** The version's estimate over the window's answers whose state fits and whose item is in the catalog. */
  ValueEstimate estimate(PolicyVersion version) {
    GaussianPolicy policy = GaussianPolicy.fromSnapshot(PolicySnapshotCodec.decode(version.snapshot));
    if (policy.config().stateDim() != stateDim || policy.config().actionDim() != catalog.dimension()) {
      throw new IllegalArgumentException("it expects states of " + policy.config().stateDim() + " and actions of "
          + policy.config().actionDim() + ", the scorers build states of " + stateDim + " and the catalog has dimension "
          + catalog.dimension());
    }
    PolicyMean mean = PolicyMean.of(policy);
    List<LoggedChoice> answers = new ArrayList<>(recent.size());
    for (LoggedChoice a : recent) {
      if (catalog.embedding(a.itemId) != null) {
        answers.add(a);
      }
    }
    int n = answers.size();
    double[] target = new double[n];
    double[] logged = new double[n];
    double[] reward = new double[n];
    double[] baseline = new double[n];
    StateValue value = new StateValue(stateDim, 1);
    for (LoggedChoice a : answers) {
      value.add(a.state, a.reward);
    }
    value.solve();
    for (int from = 0; from < n; from += scorer.maxBatch()) {
      int b = Math.min(scorer.maxBatch(), n - from);
      float[] states = new float[b * stateDim];
      List<Set<String>> excludes = new ArrayList<>(b);
      int k = 1;
      for (int i = 0; i < b; i++) {
        LoggedChoice a = answers.get(from + i);
        System.arraycopy(a.state, 0, states, i * stateDim, stateDim);
        excludes.add(new HashSet<>(Arrays.asList(a.excluded)));
        k = Math.max(k, a.k);
      }
      // as the scorer: its batch searches for its largest k, and a softmax draws from searchSize(k) of them
      Ranking[] candidates = catalog.topK(mean.apply(states, b), b, scorer.exploration().searchSize(k), excludes,
          Similarity.COSINE);
      for (int i = 0; i < b; i++) {
        LoggedChoice a = answers.get(from + i);
        target[from + i] = scorer.exploration().firstSlotProbability(candidates[i], a.k, a.itemId);
        logged[from + i] = a.propensity;
        reward[from + i] = a.reward;
        baseline[from + i] = value.value(a.state);
      }
    }
    return ValueEstimate.doublyRobust(target, logged, reward, baseline, n);
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
