package dev.drpo.operators.serve;

import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.model.catalog.ItemCatalog.Ranking;
import dev.drpo.model.catalog.ItemCatalog.Similarity;
import dev.drpo.model.policy.GaussianPolicy;
import dev.drpo.model.policy.PolicyMean;
import dev.drpo.model.snapshot.PolicySnapshotCodec;
import dev.drpo.model.state.StateEncoder;
import dev.drpo.model.state.StateEncoder.Interaction;
import dev.drpo.operators.catalog.CatalogLoader;
import dev.drpo.operators.catalog.LiveCatalog;
import dev.drpo.operators.estimate.LoggedChoice;
import dev.drpo.operators.event.InteractionEvent;
import dev.drpo.operators.event.RecRequest;
import dev.drpo.operators.state.WriteBackCache;
import dev.drpo.operators.train.PolicyVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Answers recommendation requests, keyed by user, with the latest broadcast policy version: the
 * state s from the request's user features and the user's interactions of the current session
 * (the model's {@link StateEncoder}, as the trainer builds it), the policy's mean action mu(s),
 * and the top-k catalog items by cosine similarity to mu(s), never one of the user's
 * {@code excludeRecent} most recent items; a share of requests explores instead ({@link Exploration}:
 * items near an action drawn from the policy, or drawn from the items near the mean, with their
 * propensities). Before any version has arrived it answers with k uniform random items and says so
 * in {@link Recommendation#fallback}.
 *
 * <p>Requests are scored in micro-batches of up to {@code maxBatch}, or whatever arrived within
 * {@code maxDelayMs}: one pass of the network and one catalog search for the batch instead of
 * one per request. Each request's state is built when it arrives, from its user's keyed state. The
 * waiting requests are held in memory only: {@link ScorerOperator}, which runs this function,
 * answers them before every checkpoint barrier, so no checkpoint carries one. A batch's deadline
 * is a timer of the operator's processing-time service, not a keyed one (no state write per
 * batch); a batch that fills first leaves it behind, and a deadline before the open batch's is
 * ignored.
 *
 * <p>Keyed state per user: the recent interactions ({@link UserHistory}, at most
 * {@code capacity()}), deleted {@code historyRetentionMs} of processing time after the user's last
 * interaction. One timer per user, moved lazily: set at the first interaction, and when it fires
 * for a user who acted since, set again for the new expiry (so an interaction changes no timer).
 * With softmax exploration the history also remembers the user's latest answer until its
 * interaction comes back ({@link #LOGGED_CHOICES}): then a request also begins a history (with its
 * timer), counts as the user's activity, and changes the history.
 * The histories of the users active since the last checkpoint live on the heap ({@link
 * WriteBackCache}, at most {@link #HELD_HISTORIES} per instance) and {@link ScorerOperator} writes
 * those that changed to keyed state before each checkpoint barrier: an interaction or a request
 * costs no RocksDB read or write once its user is held. Broadcast state: the latest
 * {@link PolicyVersion} per policy name (about 0.2 MB; every parallel instance checkpoints its
 * copy). The decoded policy is cached per instance and rebuilt from broadcast state after a restore.
 *
 * <p>The catalog is not in any state: the instances of a TaskManager (scorers and state encoders)
 * share one, loaded when the first opens, on another thread ({@link LiveCatalog}: the items topic to
 * its end, or a fixed list), and apply the broadcast catalog updates after that (the first instance
 * to receive one applies it); an item is recommendable from the moment its upsert is applied and
 * never after its delete is applied. Requests that arrive before the load completes wait for it,
 * in operator state across checkpoints (with their session, as the state needs the catalog's
 * embeddings), and are answered when it completes; beyond {@link #MAX_WAITING} they are answered at
 * once with no items ({@link Recommendation#CATALOG_LOADING}). Retrieval is exact or HNSW by catalog size
 * ({@link ScorerConfig#retrieval()}), exact while the index builds; scores are exact cosines
 * either way. The {@link ScorerOperator} that runs this function gives it the task's mailbox
 * ({@link #runOn}), where it learns that the catalog has loaded.
 *
 * <p>Metrics: recommendations, fallbacks, exploredRecommendations, policyVersion (the version that answered last),
 * heldPolicyVersion (the newest version received, which answers the next request),
 * heldVersionFreshnessMs (when it was received, minus the newest Kafka append time of the
 * interactions it newly learned from), catalogItems, catalogLoading (1 until the catalog is
 * loaded), catalogIndexBuilding (1 while its HNSW index builds), catalogUpdates,
 * scoringLatencyMicros (histogram, from arrival to answer), batchSize (histogram).
 */
public class RecommendationScorer extends KeyedBroadcastProcessFunction<String, UserInput, ServingUpdate, Recommendation>
    implements CheckpointedFunction {
  /** Requests that wait for the catalog to load, at most; more are answered at once without items. */
  public static final int MAX_WAITING = 100_000;
  /** Operator state: the requests waiting for the catalog to load (empty once it has). */
  static final ListStateDescriptor<PendingRequest> WAITING =
      new ListStateDescriptor<>("requests-waiting-for-the-catalog", TypeInformation.of(PendingRequest.class));
  public static final MapStateDescriptor<String, PolicyVersion> POLICIES =
      new MapStateDescriptor<>("policies", Types.STRING, TypeInformation.of(PolicyVersion.class));
  /** Keyed per user: the recent interactions. */
  public static final ValueStateDescriptor<UserHistory> HISTORY = new ValueStateDescriptor<>("history", UserHistory.class);
  /**
   * Side output, with softmax exploration: each answer whose first item the user took (the
   * interaction echoes its requestId), as it was given, with the reward: what {@code
   * VersionValueEstimator} estimates the next versions' value from.
   */
  public static final OutputTag<LoggedChoice> LOGGED_CHOICES = new OutputTag<>("logged-choices") {};
  /** Histories held on the heap between checkpoints, per instance ({@link WriteBackCache}). */
  static final int HELD_HISTORIES = 20_000;

  private final ScorerConfig config;
  private final CatalogLoader catalogLoader;
  private transient KeyContext keys;
  private transient LongConsumer deadlines;
  private transient WriteBackCache<UserHistory> histories;
  private transient int maxParallelism;
  private transient KeyGroupRange ownKeyGroups;
  private transient LiveCatalog.TaskThread taskThread;
  private transient LiveCatalog live;
  private transient ItemCatalog catalog;
  private transient StateEncoder encoder;
  private transient PolicyMean policy;
  private transient float[] sigma;
  private transient long policyVersion;
  private transient Counter recommendations;
  private transient Counter fallbacks;
  private transient Counter explored;
  private transient Counter catalogUpdates;
  private transient Histogram latency;
  private transient Histogram batchSizes;
  private transient List<PendingRequest> pending;
  private transient ListState<PendingRequest> waitingState;
  private transient long batchDeadline;
  private transient PolicyVersion latest;
  private transient long heldVersionFreshnessMs;

  public RecommendationScorer(ScorerConfig config, CatalogLoader catalogLoader) {
    this.config = config;
    this.catalogLoader = catalogLoader;
  }

  /** Where the catalog's load and index build hand their results over: the task's thread (before {@link #open}). */
  void runOn(LiveCatalog.TaskThread taskThread) {
    this.taskThread = taskThread;
  }

  /**
   * The operator's keys, where the histories are written back, and where a micro-batch's deadline
   * is set: the operator's processing-time service, which calls {@link #deadlinePassed} (a keyed
   * timer would cost a RocksDB write and delete per batch). Before {@link #open}.
   */
  void runWith(KeyContext operator, LongConsumer deadlines) {
    this.keys = operator;
    this.deadlines = deadlines;
  }

  /** Writes the histories changed since the last call to keyed state (before each barrier, and at the end). */
  void writeBack() {
    histories.writeBack();
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    if (taskThread == null || keys == null || deadlines == null) {
      throw new IllegalStateException("run the scorer with ScorerOperator: it loads the catalog on another thread and writes "
          + "the histories to state before each barrier");
    }
    histories = new WriteBackCache<>(getRuntimeContext().getState(HISTORY), keys, UserHistory::copy, HELD_HISTORIES);
    var task = getRuntimeContext().getTaskInfo();
    maxParallelism = task.getMaxNumberOfParallelSubtasks();
    ownKeyGroups = KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(maxParallelism,
        task.getNumberOfParallelSubtasks(), task.getIndexOfThisSubtask());
    int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    live = LiveCatalog.start(getRuntimeContext().getJobInfo().getJobId().toString(), catalogLoader, config.retrieval(),
        "subtask-" + subtask, taskThread, "scorer " + subtask, subtask == 0);
    live.whenLoaded(() -> catalog = live.catalog());
    encoder = new StateEncoder(config.userFeatureDim(), catalogLoader.dimension(), config.historyLength());
    policyVersion = -1;
    heldVersionFreshnessMs = -1;
    var metrics = getRuntimeContext().getMetricGroup();
    recommendations = metrics.counter("recommendations");
    fallbacks = metrics.counter("fallbacks");
    explored = metrics.counter("exploredRecommendations");
    catalogUpdates = metrics.counter("catalogUpdates");
    metrics.gauge("catalogItems", () -> catalog == null ? 0 : catalog.size());
    metrics.gauge("catalogLoading", () -> catalog == null ? 1 : 0);
    metrics.gauge("catalogIndexBuilding", () -> live.building() ? 1 : 0);
    metrics.gauge("catalogIndexBuilds", () -> live.indexBuilds());
    latency = metrics.histogram("scoringLatencyMicros", new DescriptiveStatisticsHistogram(1_000));
    batchSizes = metrics.histogram("batchSize", new DescriptiveStatisticsHistogram(1_000));
    metrics.gauge("policyVersion", () -> policyVersion);
    metrics.gauge("heldPolicyVersion", () -> latest == null ? -1 : latest.version);
    metrics.gauge("heldVersionFreshnessMs", () -> heldVersionFreshnessMs);
  }

  /** The policy version a restore brings back (broadcast state), and the requests that waited for the catalog. */
  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    latest = context.getOperatorStateStore().getBroadcastState(POLICIES).get(config.policyName());
    waitingState = context.getOperatorStateStore().getListState(WAITING);
    pending = new ArrayList<>();
    for (PendingRequest p : waitingState.get()) {
      p.arrivedAtNanos = System.nanoTime();
      pending.add(p);
    }
  }

  /** Keeps the requests that wait for the catalog; at any other time none waits at a barrier ({@link ScorerOperator}). */
  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    waitingState.update(catalog == null ? pending : List.of());
  }

  /** Runs the operator's mails until the catalog has loaded (at the end of the requests). */
  void awaitCatalog(MailboxExecutor mailbox) throws InterruptedException {
    live.awaitLoaded(mailbox);
  }

  /** Runs {@code work} on the task's thread once the catalog has loaded (after the scorer has taken it over). */
  void whenCatalogLoaded(Runnable work) {
    live.whenLoaded(work);
  }

  @Override
  public void processElement(UserInput input, ReadOnlyContext ctx, Collector<Recommendation> out) throws Exception {
    if (input.interaction != null) {
      remember(input.interaction, ctx);
      return;
    }
    UserHistory h = histories.get(ctx.getCurrentKey());
    if (catalog == null && pending.size() >= MAX_WAITING) {
      out.collect(loading(prepare(input.request, h)));
      recommendations.inc();
      return;
    }
    PendingRequest p = prepare(input.request, h);
    if (config.exploration().mode() == Exploration.Mode.SOFTMAX) {
      awaitInteraction(p, h, ctx);
    }
    pending.add(p);
    if (pending.size() == 1) {
      batchDeadline = ctx.timerService().currentProcessingTime() + config.maxDelayMs();
      deadlines.accept(batchDeadline);
    }
    if (pending.size() >= config.maxBatch()) {
      flush(out);
    }
  }

  private void remember(InteractionEvent e, ReadOnlyContext ctx) throws Exception {
    UserHistory h = histories.get(ctx.getCurrentKey());
    LoggedChoice answered = h == null ? null : h.answered;
    if (answered != null && e.requestId != null && e.requestId.equals(answered.requestId)) {
      if (e.itemId.equals(answered.itemId) && answered.propensity > 0) { // the first item, as the answer showed it
        LoggedChoice taken = answered.copy();
        taken.reward = e.reward;
        ctx.output(LOGGED_CHOICES, taken);
      }
      answered = null;
    }
    long now = ctx.timerService().currentProcessingTime();
    UserHistory next = (h == null ? new UserHistory() : h).append(e.itemId, e.reward, e.ts, now, config.capacity());
    next.answered = answered;
    expireLater(next, now, ctx);
    histories.changed(ctx.getCurrentKey(), next);
  }

  /** Sets the user's expiry timer if the history has none yet. */
  private void expireLater(UserHistory h, long now, ReadOnlyContext ctx) {
    if (h.expiresAt == 0) {
      h.expiresAt = now + config.historyRetentionMs();
      ctx.timerService().registerProcessingTimeTimer(h.expiresAt);
    }
  }

  /**
   * Softmax exploration: the answer to the request is remembered in its user's history (the
   * latest one per user, replacing any before it; the request counts as the user's activity for
   * the history's expiry) until the interaction with its first item echoes its requestId; then it
   * goes to {@link #LOGGED_CHOICES} with the reward, as the answer was given: its state, exclusions,
   * first item and propensity ({@link #logAnswer}, when it is scored).
   */
  private void awaitInteraction(PendingRequest p, UserHistory h, ReadOnlyContext ctx) {
    String user = ctx.getCurrentKey();
    long now = ctx.timerService().currentProcessingTime();
    UserHistory next = h != null ? h : new UserHistory();
    next.lastSeenMs = now;
    expireLater(next, now, ctx);
    next.answered = new LoggedChoice();
    next.answered.requestId = p.request.requestId;
    next.answered.excluded = p.exclude;
    next.answered.k = p.request.k;
    histories.changed(user, next);
  }

  /**
   * Fills in the answer its user's history remembers ({@link #awaitInteraction}): read and marked
   * changed under the user's key, so the filled answer is what the next barrier writes, even if
   * the history was written or evicted while the request waited.
   */
  private void logAnswer(Recommendation r, float[] state, Ranking ranking, int k) {
    if (!ownKeyGroups.contains(KeyGroupRangeAssignment.assignToKeyGroup(r.userId, maxParallelism))) {
      return; // a request restored at another parallelism while it waited for the catalog: its user's history is elsewhere
    }
    Object current = keys.getCurrentKey();
    try {
      keys.setCurrentKey(r.userId);
      UserHistory h = histories.get(r.userId);
      if (h == null || h.answered == null || !r.requestId.equals(h.answered.requestId)) {
        return; // a later answer replaced it, or the user's history expired
      }
      h.answered.state = state;
      h.answered.itemId = r.items[0];
      h.answered.propensity = r.propensities != null ? r.propensities[0]
          : config.exploration().firstSlotProbability(ranking, k, r.items[0]);
      h.answered.policyVersion = r.policyVersion;
      histories.changed(r.userId, h);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the history of user " + r.userId, e);
    } finally {
      if (current != null) {
        keys.setCurrentKey(current);
      }
    }
  }

  /**
   * A user's history may expire: deleted if the user has not acted since {@code historyRetentionMs}
   * before, else the timer is set again for then.
   */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Recommendation> out) throws Exception {
    String user = ctx.getCurrentKey();
    UserHistory h = histories.get(user);
    if (h != null && (h.expiresAt == timestamp || h.expiresAt == 0)) {
      long expires = h.lastSeenMs + config.historyRetentionMs();
      if (expires <= timestamp) {
        histories.remove(user);
      } else {
        h.expiresAt = expires;
        ctx.timerService().registerProcessingTimeTimer(expires);
        histories.changed(user, h);
      }
    }
  }

  /**
   * A micro-batch's deadline passed: answers the open batch if it is the one that set it (a batch
   * that filled first leaves its deadline behind, earlier than the open batch's).
   */
  void deadlinePassed(long deadline, Collector<Recommendation> out) {
    if (deadline >= batchDeadline) {
      flush(out);
    }
  }

  /** The request with its state and exclusions from its user's history (null: none). */
  private PendingRequest prepare(RecRequest request, UserHistory h) {
    List<Interaction> session = h == null ? List.of() : h.session(request.ts, config.sessionGapMs());
    Set<String> exclude = h == null ? Set.of() : new HashSet<>(Arrays.asList(h.recent(config.excludeRecent())));
    PendingRequest p = new PendingRequest();
    p.request = request;
    if (catalog != null) {
      p.state = encoder.encode(request.userFeatures, session, catalog);
    } else {
      p.sessionItems = session.stream().map(Interaction::itemId).toArray(String[]::new);
      p.sessionRewards = session.stream().mapToDouble(Interaction::reward).toArray();
    }
    p.exclude = exclude.toArray(String[]::new);
    p.arrivedAtNanos = System.nanoTime();
    return p;
  }

  /**
   * Answers every waiting request: one forward pass and one catalog product for all of them; none
   * while the catalog loads (they wait for it, see {@link #snapshotState}).
   */
  void flush(Collector<Recommendation> out) {
    if (pending.isEmpty() || catalog == null) {
      return;
    }
    // in batches of maxBatch: the requests that waited for the catalog can be many (up to MAX_WAITING)
    for (int from = 0; from < pending.size(); from += config.maxBatch()) {
      score(pending.subList(from, Math.min(pending.size(), from + config.maxBatch())), out);
    }
    pending.clear();
  }

  /** One micro-batch: one forward pass and one catalog product for all of its requests. */
  private void score(List<PendingRequest> batch, Collector<Recommendation> out) {
    int n = batch.size();
    Ranking[] rankings = null;
    SplittableRandom[] explorers = new SplittableRandom[n];
    if (latest != null && catalog != null) {
      PolicyMean current = policy(latest);
      boolean softmax = config.exploration().mode() == Exploration.Mode.SOFTMAX;
      float[] states = new float[n * encoder.stateDim()];
      List<Set<String>> excludes = new ArrayList<>(n);
      int k = 1;
      for (int i = 0; i < n; i++) {
        PendingRequest p = batch.get(i);
        float[] state = p.state != null ? p.state : stateOf(p);
        System.arraycopy(state, 0, states, i * encoder.stateDim(), encoder.stateDim());
        excludes.add(Set.of(p.exclude));
        k = Math.max(k, p.request.k);
        if (softmax) {
          p.state = state;
        }
      }
      float[] actions = current.apply(states, n);
      boolean explores = false;
      for (int i = 0; i < n && config.exploration().mode() != Exploration.Mode.NONE; i++) {
        SplittableRandom random = Exploration.random(batch.get(i).request.requestId, latest.version);
        if (config.exploration().explores(random)) {
          explorers[i] = random;
          explores = true;
          if (config.exploration().mode() == Exploration.Mode.GAUSSIAN) {
            config.exploration().perturb(actions, i, sigma, random);
          }
        }
      }
      // softmax: every answer's propensities need the candidates, whether its request explores or not
      boolean candidates = explores || config.exploration().mode() == Exploration.Mode.SOFTMAX;
      rankings = catalog.topK(actions, n, candidates ? config.exploration().searchSize(k) : k, excludes, Similarity.COSINE);
    }
    long now = System.nanoTime();
    for (int i = 0; i < n; i++) {
      PendingRequest p = batch.get(i);
      out.collect(rankings == null ? fallback(p) : answer(p, rankings[i], latest.version, explorers[i]));
      latency.update((now - p.arrivedAtNanos) / 1_000);
    }
    recommendations.inc(n);
    batchSizes.update(n);
  }

  /** The sizes of the micro-batches scored so far (the batchSize metric). */
  HistogramStatistics batchSizes() {
    return batchSizes.getStatistics();
  }

  /** The state of a request that arrived while the catalog loaded, from the session it kept. */
  private float[] stateOf(PendingRequest p) {
    List<Interaction> session = new ArrayList<>(p.sessionItems.length);
    for (int i = 0; i < p.sessionItems.length; i++) {
      session.add(new Interaction(p.sessionItems[i], p.sessionRewards[i]));
    }
    return encoder.encode(p.request.userFeatures, session, catalog);
  }

  private static Recommendation recommendation(RecRequest request) {
    Recommendation r = new Recommendation();
    r.requestId = request.requestId;
    r.userId = request.userId;
    r.ts = request.ts;
    r.servedAtMs = System.currentTimeMillis();
    return r;
  }

  /** The request's items: the ranking's top k, or, for a request that explores, those drawn from it. */
  private Recommendation answer(PendingRequest p, Ranking ranking, long version, SplittableRandom explorer) {
    Recommendation r = recommendation(p.request);
    r.policyVersion = version;
    Exploration.Choice choice = config.exploration().choose(ranking, p.request.k, explorer);
    r.items = choice.ids();
    r.scores = choice.scores();
    r.propensities = choice.propensities();
    if (config.exploration().mode() == Exploration.Mode.SOFTMAX && r.items.length > 0) {
      logAnswer(r, p.state, ranking, p.request.k);
    }
    if (explorer != null) {
      r.explored = true;
      explored.inc();
    }
    return r;
  }

  private Recommendation fallback(PendingRequest p) {
    fallbacks.inc();
    Recommendation r = recommendation(p.request);
    r.policyVersion = -1;
    r.fallback = Recommendation.NO_POLICY_YET;
    r.items = catalog.sample(p.request.k, Set.of(p.exclude), new SplittableRandom(p.request.requestId.hashCode()));
    r.scores = new float[r.items.length];
    return r;
  }

  private Recommendation loading(PendingRequest p) {
    fallbacks.inc();
    Recommendation r = recommendation(p.request);
    r.policyVersion = -1;
    r.fallback = Recommendation.CATALOG_LOADING;
    r.items = new String[0];
    r.scores = new float[0];
    return r;
  }

  /** The mean network of a version (and its sigma), cached until another version arrives. */
  private PolicyMean policy(PolicyVersion latest) {
    if (policy == null || policyVersion != latest.version) {
      GaussianPolicy loaded = GaussianPolicy.fromSnapshot(PolicySnapshotCodec.decode(latest.snapshot));
      if (loaded.config().stateDim() != encoder.stateDim() || loaded.config().actionDim() != catalog.dimension()) {
        throw new IllegalStateException("policy " + latest.policyName + " v" + latest.version + " expects states of "
            + loaded.config().stateDim() + " and actions of " + loaded.config().actionDim() + " but the scorer builds "
            + encoder.stateDim() + " from the user features and history and the catalog has dimension " + catalog.dimension());
      }
      policy = PolicyMean.of(loaded);
      double[] logSigma = loaded.logSigma().toDoubleVector();
      sigma = new float[logSigma.length];
      for (int j = 0; j < sigma.length; j++) {
        sigma[j] = (float) Math.exp(logSigma[j]);
      }
      policyVersion = latest.version;
    }
    return policy;
  }

  @Override
  public void processBroadcastElement(ServingUpdate update, Context ctx, Collector<Recommendation> out) throws Exception {
    if (update.item != null) {
      if (live.apply(update.item)) {
        catalogUpdates.inc();
      }
    } else if (update.version.policyName.equals(config.policyName())) {
      ctx.getBroadcastState(POLICIES).put(update.version.policyName, update.version);
      latest = update.version;
      heldVersionFreshnessMs = latest.newestAppendMs < 0 ? -1 : System.currentTimeMillis() - latest.newestAppendMs;
    }
  }

  @Override
  public void close() {
    if (live != null) {
      live.close();
    }
  }
}
