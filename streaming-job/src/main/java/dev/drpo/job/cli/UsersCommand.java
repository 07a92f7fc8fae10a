package dev.drpo.job.cli;

import dev.drpo.job.JobConfig;
import dev.drpo.job.demo.SimulatedUsers;
import dev.drpo.job.demo.TrafficRun;
import dev.drpo.job.kafka.ItemsTopic;
import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.simulator.SimulatorConfig;
import dev.drpo.simulator.World;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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

  @Option(names = "--bootstrap-servers", required = true, description = "The Kafka cluster, host:port[,host:port].")
  String bootstrapServers;

  @Option(names = "--catalog-only", description = "Only write the catalog to the items topic, then exit.")
  boolean catalogOnly;

  @Option(names = "--duration", defaultValue = "1h", description = "How long to run (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--out", defaultValue = "results/users", description = "Report directory (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--offline-hours", defaultValue = "12", description = "Simulated hours of logged traffic replayed first (default: ${DEFAULT-VALUE}).")
  int offlineHours;

  @Option(names = "--seed", defaultValue = "1", description = "World and traffic seed; the job's catalog must come from the same seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--set", description = "Topic names, as in conf/job.yaml (kafka.topics.*=name).")
  Map<String, String> settings = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    JobConfig config = JobConfig.defaults().with(settings);
    World world = new World(SimulatorConfig.defaults(), seed);
    ItemsTopic.write(bootstrapServers, config.kafka().topics().items(), CatalogItems.of(world.catalog()));
    System.out.printf("wrote %d items to %s at %s%n", world.catalog().size(), config.kafka().topics().items(), bootstrapServers);
    if (catalogOnly) {
      return 0;
    }
    TrafficRun run = new TrafficRun(new TrafficRun.Options(JobConfig.parseDuration("--duration", duration), out,
        offlineHours, 15, 0.2, 0.002, seed), world, System.out, Map::of);
    return DrpoCli.untilInterrupted(run::stop, () -> run.run(bootstrapServers, SimulatedUsers.Topics.of(config)));
  }
}
