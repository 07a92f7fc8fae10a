package dev.drpo.job.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.drpo.job.DrpoJob;
import dev.drpo.job.JobConfig;
import dev.drpo.job.kafka.EmbeddedKafka;
import dev.drpo.job.kafka.ItemsTopic;
import dev.drpo.job.kafka.KafkaEndpoints;
import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.simulator.LoggingMix;
import dev.drpo.simulator.SimulatorConfig;
import dev.drpo.simulator.UserPopulation;
import dev.drpo.simulator.World;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The whole loop on one machine: a real Kafka broker in this JVM, the DRPO job on a local Flink
 * cluster (web UI on), and the simulator's users on the far side of Kafka. Offline first (logged
 * medium-quality traffic), then online: users are served by the learning policy, a share still by
 * the logging policy. Prints a progress line every few seconds; writes demo.json and demo.png.
 */
public final class Demo {

  /**
   * @param duration wall-clock time of the whole run (offline replay included)
   * @param out where demo.json, demo.png and the checkpoints go
   * @param kafkaPort the broker's port (0: any free one)
   * @param uiPort the Flink web UI's port
   * @param offlineHours simulated hours of logged traffic replayed first
   * @param tickMinutes simulated minutes per online round trip
   * @param loggingShare share of online requests the logging policy serves
   * @param world the simulated world (catalog, users, rewards)
   * @param overrides job settings on top of the demo's (key=value, as in conf/job.yaml)
   */
  public record Options(Duration duration, Path out, int kafkaPort, int uiPort, int offlineHours, int tickMinutes,
      double loggingShare, SimulatorConfig world, long seed, Map<String, String> overrides) {}

  private final Options options;
  private final PrintStream console;
  private final AtomicBoolean stop = new AtomicBoolean();
  private double lastReportSeconds;
  private double lastReportEvents;

  public Demo(Options options, PrintStream console) {
    this.options = options;
    this.console = console;
  }

  /** Asks a running demo to finish early (it still writes its report). */
  public void stop() {
    stop.set(true);
  }

  /** The job settings the demo runs with: the simulator's features, per-interaction quality, fast versions. */
  public static Map<String, String> settings(String bootstrap, Path out, int featureDim) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("kafka.bootstrap-servers", bootstrap);
    s.put("kafka.transaction-timeout", "1m");
    s.put("checkpoints.interval", "2s");
    s.put("checkpoints.directory", out.resolve("checkpoints").toUri().toString());
    s.put("checkpoints.savepoint-directory", out.resolve("savepoints").toUri().toString());
    s.put("events.user-feature-dim", Integer.toString(featureDim));
    s.put("state.history-length", "0");
    s.put("quality.granularity", "interaction");
    s.put("trainer.publish-every-steps", "5");
    s.put("trainer.publish-interval", "5s");
    s.put("trainer.max-wait", "2s");
    return s;
  }

  public Map<String, Object> run() throws Exception {
    Files.createDirectories(options.out());
    World world = new World(options.world(), options.seed());
    try (EmbeddedKafka kafka = EmbeddedKafka.start(options.kafkaPort(), Files.createTempDirectory("drpo-kafka"))) {
      JobConfig config = JobConfig.defaults()
          .with(settings(kafka.bootstrapServers(), options.out().toAbsolutePath(), options.world().stateDim()))
          .with(options.overrides());
      kafka.createTopics(2, List.of(config.topic("interactions"), config.topic("rec-requests"), config.topic("recommendations"),
          config.topic("dead-letters")), List.of(config.topic("policy-versions"), config.topic("items")));
      ItemsTopic.write(kafka.bootstrapServers(), config.topic("items"), SimulatedUsers.catalogOf(world));
      CatalogItems items = ItemsTopic.read(kafka.bootstrapServers(), config.topic("items"), Duration.ofSeconds(30));

      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink(config));
      DrpoJob.build(env, KafkaEndpoints.create(config), items, config);
      JobClient job = env.executeAsync();
      console.printf("Kafka broker: %s (topics %s)%n", kafka.bootstrapServers(), config.values().entrySet().stream()
          .filter(e -> e.getKey().startsWith("kafka.topics.")).map(Map.Entry::getValue).toList());
      console.printf("Flink web UI: http://localhost:%d  (job %s)%n", options.uiPort(), job.getJobID());
      try {
        return drive(world, config);
      } finally {
        job.cancel().get();
      }
    }
  }

  private Configuration flink(JobConfig config) {
    Configuration flink = DrpoJob.flinkConfiguration(config);
    flink.set(RestOptions.PORT, options.uiPort());
    flink.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("256m"));
    flink.set(TaskManagerOptions.NUM_TASK_SLOTS, config.integer("job.parallelism", 1));
    flink.setString("metrics.reporter.injvm.factory.class", InJvmMetrics.Factory.class.getName());
    flink.setString("metrics.reporter.injvm.interval", "1 s");
    return flink;
  }

  private Map<String, Object> drive(World world, JobConfig config) throws Exception {
    long tick = options.tickMinutes() * 60_000L;
    long onlineSpan = options.duration().toSeconds() * tick;
    long now = System.currentTimeMillis();
    long clock = now - options.offlineHours() * 3_600_000L - onlineSpan - 3_600_000L;
    UserPopulation population = new UserPopulation(world, UserPopulation.Config.defaults().withMalformedShare(0.002), clock, options.seed());
    double loggingNormalized = Double.NaN;
    List<Map<String, Object>> timeline = new ArrayList<>();
    long started = System.nanoTime();
    long deadline = started + options.duration().toNanos();
    long nextReport = started + 5_000_000_000L;
    SimulatedUsers.Tally window = null;
    try (SimulatedUsers users = new SimulatedUsers(world, population, LoggingMix.MEDIUM, options.loggingShare(), 10,
        config.string("kafka.bootstrap-servers"), new SimulatedUsers.Topics(config.topic("interactions"),
            config.topic("rec-requests"), config.topic("recommendations")), options.seed())) {
      long offlineEnd = clock + options.offlineHours() * 3_600_000L;
      while (clock < offlineEnd && !stop.get() && System.nanoTime() < deadline) {
        clock = Math.min(offlineEnd, clock + 3_600_000L);
        users.replay(clock);
        SimulatedUsers.Tally t = users.drainTally();
        loggingNormalized = t.loggingNormalized();
        window = merge(window, t);
        if (System.nanoTime() >= nextReport) {
          timeline.add(report(started, "offline", window, users));
          window = null;
          nextReport += 5_000_000_000L;
        }
      }
      while (!stop.get() && System.nanoTime() < deadline) {
        clock += tick;
        users.tick(clock, Duration.ofSeconds(30));
        window = merge(window, users.drainTally());
        if (System.nanoTime() >= nextReport) {
          timeline.add(report(started, "online", window, users));
          window = null;
          nextReport += 5_000_000_000L;
        }
      }
      if (window != null) {
        timeline.add(report(started, "online", window, users));
      }
      Map<String, Object> summary = summary(timeline, loggingNormalized, users, (System.nanoTime() - started) / 1e9);
      write(timeline, summary);
      return summary;
    }
  }

  private static SimulatedUsers.Tally merge(SimulatedUsers.Tally a, SimulatedUsers.Tally b) {
    if (a == null) {
      return b;
    }
    a.requests += b.requests;
    a.answered += b.answered;
    a.fallbacks += b.fallbacks;
    a.loggingServed += b.loggingServed;
    a.servedReward += b.servedReward;
    a.servedOracle += b.servedOracle;
    a.loggingReward += b.loggingReward;
    a.loggingOracle += b.loggingOracle;
    return a;
  }

  private Map<String, Object> report(long started, String phase, SimulatedUsers.Tally t, SimulatedUsers users) {
    double seconds = (System.nanoTime() - started) / 1e9;
    double in = InJvmMetrics.sum("samplesIn");
    double admitted = InJvmMetrics.sum("admitted");
    double events = InJvmMetrics.sum("decodedEvents");
    double eventsPerSecond = (events - lastReportEvents) / (seconds - lastReportSeconds);
    lastReportEvents = events;
    lastReportSeconds = seconds;
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("t_s", Math.round(seconds * 10) / 10.0);
    row.put("phase", phase);
    row.put("events", (long) events);
    row.put("events_per_s", Math.round(eventsPerSecond));
    row.put("sessions", (long) InJvmMetrics.sum("sessions"));
    row.put("admitted", (long) admitted);
    row.put("admitted_pct", in == 0 ? 0.0 : 100 * admitted / in);
    row.put("kappa", finiteOrNull(InJvmMetrics.max("keepFraction")));
    row.put("nu", finiteOrNull(InJvmMetrics.max("threshold")));
    row.put("policy_version", (long) Math.max(0, InJvmMetrics.max("policyVersion")));
    row.put("requests_answered", t.answered);
    row.put("served_reward", finiteOrNull(t.servedReward()));
    row.put("normalized", finiteOrNull(t.servedNormalized()));
    row.put("logging_normalized", finiteOrNull(t.loggingNormalized()));
    row.put("dead_letters", (long) InJvmMetrics.sumPrefixed("deadLetters."));
    row.put("late", (long) InJvmMetrics.sum("lateEvents"));
    console.printf(Locale.ROOT, "[%5.1fs %-7s] events %,9d (%,6.0f/s)  sessions %,7d  admitted %5.1f%%  kappa %.3f  nu %.3f  "
            + "policy v%d  served reward %.3f  normalized %.3f (logging %.3f)  dead letters %d%n",
        seconds, phase, row.get("events"), eventsPerSecond, row.get("sessions"), row.get("admitted_pct"),
        InJvmMetrics.max("keepFraction"), InJvmMetrics.max("threshold"), row.get("policy_version"), t.servedReward(),
        t.servedNormalized(), t.loggingNormalized(), row.get("dead_letters"));
    return row;
  }

  private Map<String, Object> summary(List<Map<String, Object>> timeline, double loggingNormalized, SimulatedUsers users,
      double seconds) {
    List<Map<String, Object>> served = timeline.stream()
        .filter(r -> r.get("phase").equals("online") && r.get("normalized") != null).toList();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("duration_s", Math.round(seconds));
    s.put("logging_policy_normalized", finiteOrNull(loggingNormalized));
    s.put("first_online_normalized", served.isEmpty() ? null : served.get(0).get("normalized"));
    s.put("last_online_normalized", served.isEmpty() ? null : served.get(served.size() - 1).get("normalized"));
    s.put("answers_by_policy_version", users.versionsServed());
    s.put("unanswered", users.waiting());
    s.put("duplicate_answers", users.duplicateAnswers());
    Map<String, Object> last = timeline.isEmpty() ? Map.of() : timeline.get(timeline.size() - 1);
    s.put("events", last.get("events"));
    s.put("policy_version", last.get("policy_version"));
    s.put("dead_letters", last.get("dead_letters"));
    s.put("late", last.get("late"));
    return s;
  }

  private void write(List<Map<String, Object>> timeline, Map<String, Object> summary) throws Exception {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("timeline", timeline);
    report.put("summary", summary);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(options.out().resolve("demo.json").toFile(), report);
    XYSeries policy = new XYSeries("served by the job (normalized)");
    XYSeries logging = new XYSeries("served by the logging policy (normalized)");
    for (Map<String, Object> row : timeline) {
      double t = (Double) row.get("t_s");
      if (row.get("normalized") instanceof Double served) {
        policy.add(t, served);
      }
      if (row.get("logging_normalized") instanceof Double logged) {
        logging.add(t, logged);
      }
    }
    XYSeriesCollection data = new XYSeriesCollection(policy);
    data.addSeries(logging);
    ChartUtils.saveChartAsPNG(options.out().resolve("demo.png").toFile(), ChartFactory.createXYLineChart(
        "drpo demo: served reward / oracle reward over time", "seconds", "normalized reward", data,
        PlotOrientation.VERTICAL, true, false, false), 900, 500);
    console.printf("wrote %s and %s%n", options.out().resolve("demo.json"), options.out().resolve("demo.png"));
  }

  private static Double finiteOrNull(double x) {
    return Double.isFinite(x) ? x : null;
  }
}
