package dev.drpo.job;

import dev.drpo.job.kafka.ItemsTopic;
import dev.drpo.job.kafka.KafkaEndpoints;
import dev.drpo.job.kafka.KafkaPreflight;
import dev.drpo.model.catalog.EmbeddingsCsv;
import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.operators.catalog.CatalogLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;
import sun.misc.Signal;

/**
 * {@code drpo run}: the job against a real Kafka, on the Flink cluster it is submitted to, or, started
 * directly, on a local one in this JVM: then it prints where its web UI, checkpoints and savepoints
 * are, and a SIGTERM or Ctrl-C (SIGINT) stops the job with a savepoint (Flink's stop-with-savepoint:
 * sources stop, every operator commits, state is written) and prints the command that resumes from
 * it. Under {@code flink run} nothing of that applies: the cluster runs the job.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the DRPO job against the Kafka cluster of the config. Under `flink run` it is submitted to that cluster;",
      "started directly it runs on a local Flink cluster in this JVM, prints its web UI, checkpoint and savepoint",
      "directories, and on Ctrl-C or SIGTERM stops the job with a savepoint and prints how to resume from it.",
      "The catalog follows the items topic (or catalog.file) for the job's whole life."})
public final class RunCommand implements Callable<Integer> {
  /** How long a stop with a savepoint may take, at most. */
  static final Duration SAVEPOINT_TIMEOUT = Duration.ofMinutes(10);

  @Option(names = "--config", description = "YAML file of settings (see conf/job.yaml; absent keys keep their defaults).")
  Path config;

  @Option(names = "--set", description = "A setting, key=value, applied after the file (repeatable).")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--from-savepoint", description = "Start from this savepoint or retained checkpoint.")
  String savepoint;

  @Option(names = "--ui-port", defaultValue = "8081", description = "The local cluster's web UI port (default: ${DEFAULT-VALUE}).")
  int uiPort;

  /**
   * Entry point for `flink run -c dev.drpo.job.RunCommand drpo-job.jar [options]` and for application
   * mode (the Flink Kubernetes Operator), where it runs inside the JobManager: it returns once the job
   * is submitted (or, attached, ended) and exits the JVM only when the command failed (the one-line
   * error and exit code 2), never after a successful submission, which would end the JobManager.
   */
  public static void main(String[] args) {
    int code = withInputErrorsOnOneLine(new CommandLine(new RunCommand())).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** {@code commandLine} with errors in a command's input printed as one clear line (exit code 2). */
  public static CommandLine withInputErrorsOnOneLine(CommandLine commandLine) {
    return commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof IllegalArgumentException || e instanceof KafkaPreflight.Failure) {
        cmd.getErr().println("drpo: " + e.getMessage());
        return 2;
      }
      throw e;
    });
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
    if (!(env instanceof LocalStreamEnvironment)) { // under `flink run`: the cluster runs it
      DrpoJob.build(env, KafkaEndpoints.create(job), catalog, job);
      env.execute();
      return 0;
    }
    flink.set(RestOptions.PORT, uiPort);
    StreamExecutionEnvironment local = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
    DrpoJob.build(local, KafkaEndpoints.create(job), catalog, job);
    CountDownLatch stop = new CountDownLatch(1);
    for (String signal : List.of("TERM", "INT")) {
      Signal.handle(new Signal(signal), s -> {
        if (stop.getCount() == 0) { // a second one: at once, without a savepoint
          System.err.println("stopped without a savepoint");
          System.exit(130);
        }
        stop.countDown();
      });
    }
    JobClient client = local.executeAsync();
    System.out.printf("Flink web UI: http://localhost:%d  (job %s)%n", uiPort, client.getJobID());
    System.out.printf("checkpoints: %s%nsavepoints: %s%nCtrl-C or SIGTERM stops the job with a savepoint (a second one: at once, without).%n",
        job.checkpoints().directory(), job.checkpoints().savepointDirectory());
    CompletableFuture<JobExecutionResult> result = client.getJobExecutionResult();
    while (!result.isDone()) {
      if (stop.await(1, TimeUnit.SECONDS)) {
        System.out.println("stopping the job with a savepoint...");
        String path = client.stopWithSavepoint(false, job.checkpoints().savepointDirectory(), SavepointFormatType.CANONICAL)
            .get(SAVEPOINT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        System.out.printf("stopped with a savepoint at %s%nresume with: ./drpo run%s --from-savepoint %s%n", path,
            config == null ? "" : " --config " + config, path);
        return 0;
      }
    }
    result.get(); // the job ended by itself: its failure, if it failed
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
