package dev.drpo.app.bench;

import dev.drpo.app.demo.Demo;
import dev.drpo.app.demo.InJvmMetrics;
import dev.drpo.app.demo.SimulatedUsers;
import dev.drpo.embedded.EmbeddedKafka;
import dev.drpo.job.JobConfig;
import dev.drpo.job.kafka.ItemsTopic;
import dev.drpo.job.kafka.KafkaConnection;
import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.simulator.LoggingMix;
import dev.drpo.simulator.SimulatorConfig;
import dev.drpo.simulator.UserPopulation;
import dev.drpo.simulator.World;
import dev.drpo.simulator.bench.ResultJson;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.apache.flink.core.execution.JobClient;

/**
 * How soon what users do reaches the policy that serves them: the in-JVM broker, the job on a
 * local Flink cluster with its default settings (the simulator's users need only their feature
 * length and no history), and the simulator's users acting at wall-clock time, events stamped now.
 *
 * <p>Per rate of interaction events: over every admitted interaction of the measured window, the
 * time from its append to Kafka to the moment every scorer holds a version trained on it (taken
 * where the scorers apply versions), and to the moment that version is visible on the
 * policy-versions topic to a read_committed consumer; percentiles from HdrHistogram, built from
 * each version's provenance (the lags of the samples it newly learned from) and when it was held
 * and seen. The drift run: users served by the job, whose tastes change at a moment; the seconds
 * until the served normalized reward is back to 90% of its level before the change, with the
 * defaults and with session-end emission (session quality, horizon = the session gap), side by side.
 */
public final class FreshnessBenchmark {
  static final Duration WARMUP = Duration.ofSeconds(10);
  /** Each simulated user acts this often; the world has as many users as the rate needs. */
  static final long USER_INTERVAL_MS = 2_000;
  static final Duration DRIFT_BEFORE = Duration.ofSeconds(120);
  static final Duration DRIFT_AFTER = Duration.ofSeconds(240);
  static final int DRIFT_SMOOTHING_S = 5;

  /**
   * @param eventsPerS interaction rates, one job each
   * @param duration measured window per rate
   * @param drift whether to run the drift comparison
   * @param overrides job settings on top of the defaults
   */
  public record Options(List<Integer> eventsPerS, Duration duration, boolean drift, Map<String, String> overrides) {}

  /** One rate; latencies in ms from an interaction's append to Kafka. */
  public record Run(int eventsPerS, double achievedEventsPerS, long admitted, double scorersP50Ms, double scorersP99Ms,
      double topicP50Ms, double topicP99Ms, double versionsPerS) {

    Map<String, Object> json() {
      return ResultJson.fields("events_per_s", eventsPerS, "achieved_events_per_s", achievedEventsPerS, "admitted", admitted,
          "scorers_p50_ms", scorersP50Ms, "scorers_p99_ms", scorersP99Ms, "topic_p50_ms", topicP50Ms, "topic_p99_ms", topicP99Ms,
          "versions_per_s", versionsPerS);
    }
  }

  /**
   * One drift run: the served level before the change and the seconds to 90% of it after (NaN: not
   * within the run, or nothing learned before the change).
   */
  public record DriftRun(String emission, double levelBefore, long versionsBefore, double recoveryS, List<Double> normalizedPerSecond) {}

  public record Result(List<Run> runs, DriftRun drift, DriftRun sessionEndDrift) {
    public String table() {
      StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%10s %10s %9s %12s %12s %10s %10s %10s%n", "events/s",
          "achieved", "admitted", "scorers p50", "scorers p99", "topic p50", "topic p99", "versions/s"));
      for (Run r : runs) {
        s.append(String.format(Locale.ROOT, "%10d %10.0f %9d %10.0f ms %10.0f ms %7.0f ms %7.0f ms %10.2f%n", r.eventsPerS(),
            r.achievedEventsPerS(), r.admitted(), r.scorersP50Ms(), r.scorersP99Ms(), r.topicP50Ms(), r.topicP99Ms(), r.versionsPerS()));
      }
      for (DriftRun d : drift == null ? List.<DriftRun>of() : List.of(drift, sessionEndDrift)) {
        s.append(String.format(Locale.ROOT, "drift, %s: served %.3f of the oracle before the change (%d versions), %s%n",
            d.emission(), d.levelBefore(), d.versionsBefore(), d.versionsBefore() == 0 ? "learned nothing before it"
                : Double.isFinite(d.recoveryS()) ? "back to 90% of it after " + d.recoveryS() + " s"
                : "not back to 90% of it within " + DRIFT_AFTER.toSeconds() + " s"));
      }
      return s.toString();
    }

    public String json() {
      Map<String, Object> result = ResultJson.fields("runs", runs.stream().map(Run::json).toList());
      if (drift != null) {
        result.put("drift", ResultJson.fields("recovery_s", drift.recoveryS(), "session_end_recovery_s", sessionEndDrift.recoveryS(),
            "level_before", drift.levelBefore(), "session_end_level_before", sessionEndDrift.levelBefore(),
            "window_s", DRIFT_AFTER.toSeconds()));
      }
      return ResultJson.write(result);
    }
  }

  private final Options options;
  private final PrintStream console;

  public FreshnessBenchmark(Options options, PrintStream console) {
    this.options = options;
    this.console = console;
  }

  public Result run() throws Exception {
    Path dir = Files.createTempDirectory("drpo-bench-freshness");
    List<Run> runs = new ArrayList<>();
    DriftRun drift = null;
    DriftRun sessionEnd = null;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir.resolve("kafka"))) {
      String bootstrap = kafka.bootstrapServers();
      Map<Integer, World> worlds = new LinkedHashMap<>();
      Map<Integer, JobConfig> configs = new LinkedHashMap<>();
      for (int rate : options.eventsPerS()) {
        int users = (int) Math.max(SimulatorConfig.defaults().users(), rate * USER_INTERVAL_MS / 1000);
        worlds.put(rate, new World(SimulatorConfig.defaults().withSize(SimulatorConfig.defaults().items(), users,
            SimulatorConfig.defaults().heldOutUsers(), SimulatorConfig.defaults().samples()), 1));
        configs.put(rate, config(bootstrap, dir, "r" + rate, worlds.get(rate).config().stateDim(), Map.of()));
      }
      World driftWorld = new World(SimulatorConfig.defaults(), 1);
      JobConfig driftDefaults = config(bootstrap, dir, "drift-defaults", driftWorld.config().stateDim(), Map.of());
      // session-end emission: a step's quality looks ahead as far as its session can go
      JobConfig asConfigured = JobConfig.defaults().with(options.overrides());
      JobConfig driftSessionEnd = config(bootstrap, dir, "drift-session-end", driftWorld.config().stateDim(), Map.of(
          "quality.granularity", "session", "quality.horizon", asConfigured.values().get("sessions.gap"),
          "quality.horizon-steps", asConfigured.values().get("sessions.max-events")));
      // every topic is created before any job runs; all runs read one items topic (every world has the same items)
      List<JobConfig> jobs = new ArrayList<>(configs.values());
      if (options.drift()) {
        jobs.addAll(List.of(driftDefaults, driftSessionEnd));
      }
      for (JobConfig config : jobs) {
        Demo.createTopics(kafka, config, false);
      }
      kafka.createTopics(1, List.of(), List.of(driftDefaults.kafka().topics().items()));
      ItemsTopic.write(driftDefaults.kafka().connection(), driftDefaults.kafka().topics().items(), CatalogItems.of(driftWorld.catalog()));
      for (int rate : options.eventsPerS()) {
        runs.add(measure(configs.get(rate), worlds.get(rate), rate));
        console.println(ResultJson.write(runs.get(runs.size() - 1).json()));
      }
      if (options.drift()) {
        drift = drift(driftDefaults, new World(SimulatorConfig.defaults(), 1), "defaults");
        sessionEnd = drift(driftSessionEnd, new World(SimulatorConfig.defaults(), 1), "session end");
      }
    }
    return new Result(runs, drift, sessionEnd);
  }

  private JobConfig config(String bootstrap, Path dir, String name, int stateDim, Map<String, String> more) {
    Map<String, String> s = new LinkedHashMap<>(Demo.localSettings(bootstrap, dir.resolve(name)));
    s.put("checkpoints.interval", JobConfig.defaults().values().get("checkpoints.interval"));
    s.put("events.user-feature-dim", Integer.toString(stateDim));
    s.put("state.history-length", "0");
    s.put("kafka.group-id", "bench-" + name);
    s.put("kafka.transactional-id-prefix", "bench-" + name);
    for (String topic : new String[] {"interactions", "rec-requests", "recommendations", "policy-versions", "dead-letters"}) {
      s.put("kafka.topics." + topic, topic + "-" + name);
    }
    s.putAll(more);
    return JobConfig.defaults().with(s).with(options.overrides());
  }

  private Run measure(JobConfig config, World world, int rate) throws Exception {
    KafkaConnection connection = config.kafka().connection();
    JobClient job = LocalJob.start(config, null);
    long from;
    long to;
    double achieved;
    try (VersionWatch watch = new VersionWatch(connection, config.kafka().topics().policyVersions())) {
      try (RealtimeInteractions feed = new RealtimeInteractions(world, connection, config.kafka().topics().interactions(),
          world.trainingUsers() * 1000L / rate, 2)) {
        LocalJob.awaitFirstVersion(Duration.ofMinutes(3));
        Thread.sleep(WARMUP.toMillis());
        long sent = feed.sent();
        from = System.currentTimeMillis();
        Thread.sleep(options.duration().toMillis());
        to = System.currentTimeMillis();
        achieved = (feed.sent() - sent) * 1000.0 / (to - from);
      }
      // the versions of the window reach the topic with the checkpoint after them
      Thread.sleep(config.checkpoints().interval().toMillis() + 5_000);
      job.cancel().get();
      return latencies(rate, achieved, watch, from, to);
    }
  }

  /** Append-to-held and append-to-visible over the samples of the versions created in [from, to). */
  private static Run latencies(int rate, double achieved, VersionWatch watch, long from, long to) {
    Histogram scorers = new Histogram(3_600_000L, 3);
    Histogram topic = new Histogram(3_600_000L, 3);
    long versions = 0;
    for (VersionWatch.Published p : watch.published().values()) {
      if (p.createdAtMs() < from || p.createdAtMs() >= to) {
        continue;
      }
      versions++;
      Long held = watch.heldAt(p.version());
      if (p.sampleLags() == null || held == null) {
        continue;
      }
      for (HistogramIterationValue lag : p.sampleLags().recordedValues()) {
        long lagMs = lag.getValueIteratedTo();
        scorers.recordValueWithCount(Math.max(0, held - p.createdAtMs() + lagMs), lag.getCountAtValueIteratedTo());
        topic.recordValueWithCount(Math.max(0, p.visibleAtMs() - p.createdAtMs() + lagMs), lag.getCountAtValueIteratedTo());
      }
    }
    return new Run(rate, achieved, scorers.getTotalCount(), scorers.getValueAtPercentile(50), scorers.getValueAtPercentile(99),
        topic.getValueAtPercentile(50), topic.getValueAtPercentile(99), versions * 1000.0 / (to - from));
  }

  /** Users served by the job at wall-clock time; their tastes change after DRIFT_BEFORE. */
  private DriftRun drift(JobConfig config, World world, String emission) throws Exception {
    JobClient job = LocalJob.start(config, null);
    UserPopulation population = new UserPopulation(world, UserPopulation.Config.continuous(USER_INTERVAL_MS),
        System.currentTimeMillis(), 3);
    List<Double> perSecond = new ArrayList<>();
    long versionsBefore;
    try (SimulatedUsers users = new SimulatedUsers(world, population, LoggingMix.MEDIUM, 0.2, 10,
        config.scorer().excludeRecent(), config.kafka().connection(),
        SimulatedUsers.Topics.of(config.kafka().topics()), 4)) {
      serve(users, DRIFT_BEFORE, perSecond);
      versionsBefore = (long) Math.max(0, InJvmMetrics.max("policyVersion"));
      world.changeTastes(5);
      users.tastesChanged();
      serve(users, DRIFT_AFTER, perSecond);
    } finally {
      job.cancel().get();
    }
    int change = (int) DRIFT_BEFORE.toSeconds();
    double before = mean(perSecond, change - 20, change);
    double recovery = Double.NaN;
    // without a version before the change there is no learned level to return to
    for (int s = change + DRIFT_SMOOTHING_S; versionsBefore > 0 && s <= perSecond.size(); s++) {
      if (mean(perSecond, s - DRIFT_SMOOTHING_S, s) >= 0.9 * before) {
        recovery = s - change;
        break;
      }
    }
    DriftRun run = new DriftRun(emission, before, versionsBefore, recovery, perSecond);
    console.printf(Locale.ROOT, "drift, %s: %.3f before, recovery %s s, served per second %s%n", emission, before, recovery,
        perSecond.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList());
    return run;
  }

  /** Round trips until {@code length} has passed; the served normalized reward of each second. */
  private void serve(SimulatedUsers users, Duration length, List<Double> perSecond) throws Exception {
    long end = System.nanoTime() + length.toNanos();
    long nextSecond = System.nanoTime() + 1_000_000_000L;
    SimulatedUsers.Tally second = new SimulatedUsers.Tally();
    while (System.nanoTime() < end) {
      Thread.sleep(20);
      users.tick(System.currentTimeMillis() - 1_000, Duration.ofSeconds(10));
      second.add(users.drainTally());
      if (System.nanoTime() >= nextSecond) {
        perSecond.add(second.servedNormalized());
        second = new SimulatedUsers.Tally();
        nextSecond += 1_000_000_000L;
        if (perSecond.size() % 10 == 0) {
          console.printf(Locale.ROOT, "[%3d s] served %.3f of the oracle, version %.0f, admitted %.0f, kappa %.2f, nu %.3f, "
              + "rejected steps %.0f%n", perSecond.size(), perSecond.get(perSecond.size() - 1), InJvmMetrics.max("policyVersion"),
              InJvmMetrics.sum("admitted"), InJvmMetrics.max("keepFraction"), InJvmMetrics.max("threshold"),
              InJvmMetrics.max("rejectedSteps"));
        }
      }
    }
  }

  private static double mean(List<Double> xs, int from, int to) {
    return xs.subList(Math.max(0, from), Math.min(xs.size(), to)).stream().mapToDouble(Double::doubleValue)
        .filter(Double::isFinite).average().orElse(Double.NaN);
  }
}
