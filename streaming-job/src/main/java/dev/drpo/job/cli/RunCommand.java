package dev.drpo.job.cli;

import dev.drpo.job.DrpoJob;
import dev.drpo.job.JobConfig;
import dev.drpo.job.kafka.ItemsTopic;
import dev.drpo.job.kafka.KafkaEndpoints;
import dev.drpo.job.kafka.KafkaPreflight;
import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.operators.catalog.CatalogLoader;
import dev.drpo.simulator.EmbeddingsCsv;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drpo run}: the job against a real Kafka, on the Flink cluster it is submitted to (or a local one). */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the DRPO job against the Kafka cluster of the config. Under `flink run` it is submitted to that cluster;",
      "started directly it runs on a local Flink cluster in this JVM. The catalog is read once at start."})
public final class RunCommand implements Callable<Integer> {

  @Option(names = "--config", description = "YAML file of settings (see conf/job.yaml; absent keys keep their defaults).")
  Path config;

  @Option(names = "--set", description = "A setting, key=value, applied after the file (repeatable).")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--from-savepoint", description = "Start from this savepoint or retained checkpoint.")
  String savepoint;

  /** Entry point for `flink run -c dev.drpo.job.cli.RunCommand drpo.jar [options]`. */
  public static void main(String[] args) {
    System.exit(DrpoCli.commandLine().execute(prepend("run", args)));
  }

  private static String[] prepend(String first, String[] rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  @Override
  public Integer call() throws Exception {
    JobConfig job = JobConfig.load(config, settings);
    Map<String, String> topics = job.kafka().topicsBySetting();
    if (job.catalog().isPresent()) {
      topics.remove("kafka.topics.items");
    }
    KafkaPreflight.check(job.kafka().connection(), topics, job.kafka().connectTimeout());
    CatalogLoader catalog = catalog(job);
    Configuration flink = DrpoJob.flinkConfiguration(job);
    if (savepoint != null) {
      flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    DrpoJob.build(env, KafkaEndpoints.create(job), catalog, job);
    env.execute();
    return 0;
  }

  /** A fixed catalog from catalog.file, or the items topic (its first item gives the dimension). */
  static CatalogLoader catalog(JobConfig job) throws Exception {
    Optional<Path> file = job.catalog();
    if (file.isPresent()) {
      EmbeddingsCsv.Embeddings e = EmbeddingsCsv.read(file.get());
      return new CatalogItems(e.ids().toArray(String[]::new), e.vectors());
    }
    return ItemsTopic.loader(job);
  }
}
