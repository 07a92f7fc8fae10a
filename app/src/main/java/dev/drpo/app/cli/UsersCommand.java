package dev.drpo.app.cli;

import dev.drpo.app.demo.SimulatedUsers;
import dev.drpo.app.demo.TrafficRun;
import dev.drpo.job.JobConfig;
import dev.drpo.job.kafka.ItemsTopic;
import dev.drpo.job.kafka.KafkaPreflight;
import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.simulator.SimulatorConfig;
import dev.drpo.simulator.World;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drpo users}: the simulator's users as a Kafka client of a running job. */
@Command(
    name = "users",
    mixinStandardHelpOptions = true,
    description = {
      "The simulator's users against a running DRPO job (e.g. the docker-compose deployment): writes the simulator's",
      "catalog to the items topic, replays logged medium-quality traffic, then sends requests and answers what the",
      "job recommends. The job must run with the simulator's settings: events.user-feature-dim=128,",
      "state.history-length=0, quality.granularity=interaction. Writes DIR/demo.json and DIR/demo.png."})
final class UsersCommand implements Callable<Integer> {

  @Option(names = "--bootstrap-servers", description = "The Kafka cluster, host:port[,host:port] (default: the config's kafka.bootstrap-servers).")
  String bootstrapServers;

  @Option(names = "--config", description = "The job's YAML settings: the users take kafka.bootstrap-servers, kafka.properties.*, kafka.connect-timeout and kafka.topics.* from it.")
  Path config;

  @Option(names = "--catalog-only", description = "Only write the catalog to the items topic, then exit.")
  boolean catalogOnly;

  @Option(names = "--duration", defaultValue = "1h", description = "How long to run (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--out", defaultValue = "results/users", description = "Report directory (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--offline-hours", defaultValue = "12", description = "Simulated hours of logged traffic replayed first (default: ${DEFAULT-VALUE}).")
  int offlineHours;

  @Option(names = "--realtime", description = "Users act at wall-clock time, events stamped now, each user every --user-interval; no offline phase.")
  boolean realtime;

  @Option(names = "--user-interval", defaultValue = "2s", description = "With --realtime: how often each user acts (default: ${DEFAULT-VALUE}).")
  String userInterval;

  @Option(names = "--seed", defaultValue = "1", description = "World and traffic seed; the job's catalog must come from the same seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--set", description = "A setting, key=value, as in conf/job.yaml (kafka.topics.*, kafka.properties.*), applied after the file (repeatable).")
  Map<String, String> settings = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    Map<String, String> overrides = new LinkedHashMap<>(settings);
    if (bootstrapServers != null) {
      overrides.put("kafka.bootstrap-servers", bootstrapServers);
    }
    JobConfig job = JobConfig.load(config, overrides);
    if (config != null && !catalogOnly) {
      requireTheSimulatorsState(job);
    }
    JobConfig.Kafka kafka = job.kafka();
    JobConfig.Topics topics = kafka.topics();
    Map<String, String> used = kafka.topicsBySetting();
    used.keySet().retainAll(catalogOnly ? List.of("kafka.topics.items")
        : List.of("kafka.topics.items", "kafka.topics.interactions", "kafka.topics.rec-requests", "kafka.topics.recommendations",
            "kafka.topics.policy-versions"));
    KafkaPreflight.check(kafka.connection(), used, kafka.connectTimeout());
    World world = new World(SimulatorConfig.defaults(), seed);
    ItemsTopic.write(kafka.connection(), topics.items(), CatalogItems.of(world.catalog()));
    System.out.printf("wrote %d items to %s at %s%n", world.catalog().size(), topics.items(), kafka.connection());
    if (catalogOnly) {
      return 0;
    }
    TrafficRun run = new TrafficRun(new TrafficRun.Options(JobConfig.parseDuration("--duration", duration), out,
        offlineHours, 15, 0.2, 0.002, seed,
        realtime ? JobConfig.parseDuration("--user-interval", userInterval) : null), world, System.out, Map::of);
    return DrpoCli.untilInterrupted(run::stop, () -> run.run(kafka.connection(), SimulatedUsers.Topics.of(topics),
        job.scorer().excludeRecent(), topics.policyVersions()));
  }

  /**
   * The job (its settings file, given with --config) must take what the users send as its state:
   * their features alone; else it would dead-letter every event and request of theirs.
   */
  static void requireTheSimulatorsState(JobConfig job) {
    int features = SimulatorConfig.defaults().dimension();
    if (job.userFeatureDim() != features || job.historyLength() != 0) {
      throw new IllegalArgumentException("the simulator's users send " + features + " user features and no history:"
          + " run the job with events.user-feature-dim=" + features + " and state.history-length=0 (conf/simulator.yaml);"
          + " --config has events.user-feature-dim=" + job.userFeatureDim() + " and state.history-length=" + job.historyLength());
    }
  }
}
