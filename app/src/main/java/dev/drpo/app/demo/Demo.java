package dev.drpo.app.demo;

import dev.drpo.embedded.EmbeddedKafka;
import dev.drpo.job.DrpoJob;
import dev.drpo.job.JobConfig;
import dev.drpo.job.JobFailures;
import dev.drpo.job.kafka.ItemsTopic;
import dev.drpo.job.kafka.KafkaConnection;
import dev.drpo.job.kafka.KafkaEndpoints;
import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.simulator.SimulatorConfig;
import dev.drpo.simulator.World;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The whole loop on one machine: a real Kafka broker in this JVM, the DRPO job on a local Flink
 * cluster (web UI on), and the simulator's users on the far side of Kafka ({@link TrafficRun}),
 * whose progress lines and timeline carry the job's own Flink metrics ({@link InJvmMetrics}).
 */
public final class Demo {

  /**
   * @param kafkaPort the broker's port (0: any free one)
   * @param uiPort the Flink web UI's port
   * @param world the simulated world (catalog, users, rewards)
   * @param overrides job settings on top of the demo's (key=value, as in conf/job.yaml)
   */
  public record Options(TrafficRun.Options traffic, int kafkaPort, int uiPort, SimulatorConfig world,
      Map<String, String> overrides) {}

  private final Options options;
  private final PrintStream console;
  private final TrafficRun traffic;
  private final World world;
  /** Set once the job is submitted. */
  private volatile JobFailures failures;

  public Demo(Options options, PrintStream console) {
    this.options = options;
    this.console = console;
    this.world = new World(options.world(), options.traffic().seed());
    this.traffic = new TrafficRun(options.traffic(), world, console, this::jobMetrics);
  }

  /** Asks a running demo to finish early (it still writes its report). */
  public void stop() {
    traffic.stop();
  }

  /** The job's defaults with conf/simulator.yaml: the settings for the simulator's users (demo, compose). */
  public static JobConfig simulatorSettings() {
    return JobConfig.bundled(Demo.class, "/simulator.yaml");
  }

  /**
   * The job's topics on the embedded broker: two partitions each, policy versions and items compacted
   * with one (items only when {@code withItems}: jobs that share one); the interactions topic stamps
   * records with the broker's append time (LogAppendTime), which the job's provenance and freshness
   * metrics measure from.
   */
  public static void createTopics(EmbeddedKafka kafka, JobConfig config, boolean withItems) throws Exception {
    JobConfig.Topics t = config.kafka().topics();
    List<NewTopic> topics = new ArrayList<>(List.of(
        new NewTopic(t.interactions(), 2, (short) 1).configs(Map.of("message.timestamp.type", "LogAppendTime")),
        new NewTopic(t.recRequests(), 2, (short) 1), new NewTopic(t.recommendations(), 2, (short) 1),
        new NewTopic(t.deadLetters(), 2, (short) 1), EmbeddedKafka.compacted(t.policyVersions())));
    if (withItems) {
      topics.add(EmbeddedKafka.compacted(t.items()));
    }
    kafka.createTopics(topics);
  }

  /**
   * Where a local run keeps things: the broker at {@code bootstrap}; checkpoints, savepoints and the
   * catalog's index under {@code out}; and a checkpoint every second: exactly-once answers
   * (read_committed) are visible once the checkpoint covering them completes, so the interval is
   * the users' round-trip time.
   */
  public static Map<String, String> localSettings(String bootstrap, Path out) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("kafka.bootstrap-servers", bootstrap);
    s.put("kafka.transaction-timeout", "1m");
    s.put("checkpoints.interval", "1s");
    s.put("checkpoints.directory", out.resolve("checkpoints").toUri().toString());
    s.put("checkpoints.savepoint-directory", out.resolve("savepoints").toUri().toString());
    s.put("catalog.hnsw.index-directory", out.resolve("catalog-index").toString());
    return s;
  }

  public Map<String, Object> run() throws Exception {
    Path out = options.traffic().out().toAbsolutePath();
    Files.createDirectories(out);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(options.kafkaPort(), Files.createTempDirectory("drpo-kafka"))) {
      JobConfig config = simulatorSettings()
          .with(localSettings(kafka.bootstrapServers(), out))
          .with(Map.of("events.user-feature-dim", Integer.toString(options.world().stateDim())))
          .with(options.overrides());
      createTopics(kafka, config, true);
      KafkaConnection connection = config.kafka().connection();
      ItemsTopic.write(connection, config.kafka().topics().items(), CatalogItems.of(world.catalog()));

      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink(config));
      DrpoJob.build(env, KafkaEndpoints.create(config), ItemsTopic.loader(config), config);
      JobClient job = env.executeAsync();
      console.printf("Kafka broker: %s (topics %s)%n", kafka.bootstrapServers(), config.values().entrySet().stream()
          .filter(e -> e.getKey().startsWith("kafka.topics.")).map(Map.Entry::getValue).toList());
      console.printf("Flink web UI: http://localhost:%d  (job %s)%n", options.uiPort(), job.getJobID());
      failures = new JobFailures(options.uiPort(), job.getJobID(), console);
      Map<String, Object> summary;
      try {
        summary = traffic.run(connection, SimulatedUsers.Topics.of(config.kafka().topics()), config.scorer().excludeRecent(),
            config.kafka().topics().policyVersions());
        failures.check();
      } finally {
        job.cancel().get();
      }
      summary.put("first_job_failure", failures.firstCause());
      return summary;
    }
  }

  /**
   * The demo's exit code: 1 (and why, on {@code err}) when the job failed and processed nothing, no
   * policy version and no answer, as when its tasks fail at start and restart for the whole run;
   * else 0 (a run too short to reach the online phase is not a failure).
   */
  public static int exitCode(Map<String, Object> summary, PrintStream err) {
    long answered = summary.get("requests_answered") instanceof Number n ? n.longValue() : 0;
    long version = summary.get("policy_version") instanceof Number n ? n.longValue() : 0;
    long restarts = summary.get("restarts") instanceof Number n ? n.longValue() : 0;
    if (answered > 0 || version > 0 || restarts == 0 && summary.get("first_job_failure") == null) {
      return 0;
    }
    err.printf("drpo: the job processed nothing: no policy version, no request answered (restarts: %s; first failure: %s)%n",
        summary.getOrDefault("restarts", 0), summary.get("first_job_failure") == null ? "none seen" : summary.get("first_job_failure"));
    return 1;
  }

  private Configuration flink(JobConfig config) {
    Configuration flink = DrpoJob.flinkConfiguration(config);
    flink.set(RestOptions.PORT, options.uiPort());
    flink.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("256m"));
    flink.set(TaskManagerOptions.NUM_TASK_SLOTS, config.job().parallelism());
    // the failures the demo prints come from this history (Flink keeps 16): room for those between two progress lines
    flink.set(WebOptions.MAX_EXCEPTION_HISTORY_SIZE, 100);
    flink.setString("metrics.reporter.injvm.factory.class", InJvmMetrics.Factory.class.getName());
    return flink;
  }

  /** What the job's Flink metrics say now, its new failures printed: the timeline's job columns. */
  private Map<String, Object> jobMetrics() {
    if (failures != null) {
      failures.check();
    }
    double in = InJvmMetrics.sum("samplesIn");
    double admitted = InJvmMetrics.sum("admitted");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("events", (long) InJvmMetrics.sum("decodedEvents"));
    m.put("sessions", (long) InJvmMetrics.sum("sessions"));
    m.put("admitted", (long) admitted);
    m.put("admitted_pct", in == 0 ? 0.0 : 100 * admitted / in);
    m.put("admitted_explored", (long) InJvmMetrics.sum("admittedExplored"));
    m.put("kappa", TrafficRun.finiteOrNull(InJvmMetrics.max("keepFraction")));
    m.put("nu", TrafficRun.finiteOrNull(InJvmMetrics.max("threshold")));
    m.put("policy_version", (long) Math.max(0, InJvmMetrics.max("policyVersion")));
    m.put("estimate_ms", TrafficRun.finiteOrNull(InJvmMetrics.max("estimateMillis")));
    m.put("dead_letters", (long) InJvmMetrics.sumPrefixed("deadLetters."));
    m.put("late", (long) InJvmMetrics.sum("lateEvents"));
    double restarts = InJvmMetrics.max("numRestarts");
    m.put("restarts", Double.isNaN(restarts) ? 0L : (long) restarts);
    return m;
  }
}
