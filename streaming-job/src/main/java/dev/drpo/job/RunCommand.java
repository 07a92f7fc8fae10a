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
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
  static final int DEFAULT_UI_PORT = 8081;
  /** Inside a JobManager, how many kafka.connect-timeouts the job waits at most for Kafka to answer before it starts. */
  static final int START_WAIT_TIMEOUTS = 10;
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Option(names = "--config", description = "YAML file of settings (see conf/job.yaml; absent keys keep their defaults).")
  Path config;

  @Option(names = "--set", description = "A setting, key=value, applied after the file (repeatable).")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--from-savepoint", description = "Start from this savepoint or retained checkpoint.")
  String savepoint;

  @Option(names = "--from-latest-checkpoint", description = {
      "Start from the newest complete checkpoint under checkpoints.directory or savepoint under",
      "checkpoints.savepoint-directory: once, to resume after the JobManager was lost without high availability",
      "(the directories must hold this job's only)."})
  boolean latestCheckpoint;

  @Option(names = "--ui-port", defaultValue = "" + DEFAULT_UI_PORT, description = "The local cluster's web UI port (default: ${DEFAULT-VALUE}).")
  int uiPort;

  /**
   * Entry point for `flink run -c dev.drpo.job.RunCommand drpo-job.jar [options]` and for application
   * mode (the Flink Kubernetes Operator), where it runs inside the JobManager: it returns once the job
   * is submitted (or, attached, ended). On the command line a failed command exits the JVM (the
   * one-line error and exit code 2); inside the JobManager it never exits (that would end the
   * JobManager), it waits for Kafka ({@link #checkedOnceKafkaAnswers}) and throws what failed.
   */
  public static void main(String[] args) throws Exception {
    CommandLine commandLine = withInputErrorsOnOneLine(new CommandLine(new RunCommand()));
    if (insideTheCluster(StreamExecutionEnvironment.getExecutionEnvironment())) {
      // a failure is the application's, thrown for the JobManager to log: exiting would end the
      // JobManager, which runs this main again when it comes back (a crash loop while Kafka is down)
      if (!CommandLine.printHelpIfRequested(commandLine.parseArgs(args))) {
        commandLine.<RunCommand>getCommand().call();
      }
      return;
    }
    int code = commandLine.execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Whether this main runs inside a JobManager (application mode, or a jar run through the REST
   * API): Flink gives it an environment whose execution target is {@code embedded}.
   */
  static boolean insideTheCluster(StreamExecutionEnvironment env) {
    return "embedded".equals(env.getConfiguration().get(DeploymentOptions.TARGET));
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
    Configuration flink = DrpoJob.flinkConfiguration(job);
    if (latestCheckpoint) {
      boolean givenToFlink = StreamExecutionEnvironment.getExecutionEnvironment().getConfiguration()
          .getOptional(StateRecoveryOptions.SAVEPOINT_PATH).isPresent(); // flink run -s
      if (savepoint != null || givenToFlink) {
        throw new IllegalArgumentException("--from-savepoint (or flink run -s) and --from-latest-checkpoint: give one of them");
      }
      savepoint = RetainedCheckpoints.latest(job.checkpoints());
      System.out.println("resuming from the latest retained checkpoint or savepoint: " + savepoint);
    }
    if (savepoint != null) {
      flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    CatalogLoader catalog = insideTheCluster(env) ? checkedOnceKafkaAnswers(job) : checked(job);
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
    JobFailures failures = new JobFailures(uiPort, client.getJobID(), System.out); // Flink logs at ERROR only here
    while (!result.isDone()) {
      failures.check();
      if (stop.await(1, TimeUnit.SECONDS)) {
        failures.printTotal();
        System.out.println("stopping the job with a savepoint...");
        String path = client.stopWithSavepoint(false, job.checkpoints().savepointDirectory(), SavepointFormatType.CANONICAL)
            .get(SAVEPOINT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        System.out.printf("stopped with a savepoint at %s%nresume with: %s%n", path, resumeCommand(config, settings, uiPort, path));
        return 0;
      }
    }
    failures.check(); // the job ended by itself
    failures.printTotal();
    result.get(); // its failure, if it failed
    return 0;
  }

  /**
   * The command that resumes this one from {@code savepoint}: the same settings file, every
   * {@code --set} (a {@code kafka.properties.*} value is shown as {@code <as before>} unless it only
   * names environment variables: it may hold a secret) and the web UI's port.
   */
  static String resumeCommand(Path config, Map<String, String> settings, int uiPort, String savepoint) {
    StringBuilder command = new StringBuilder("./drpo run");
    if (config != null) {
      command.append(" --config ").append(quoted(config.toString()));
    }
    settings.forEach((key, value) -> command.append(" --set ").append(quoted(key + "="
        + (key.startsWith("kafka.properties.") && !value.contains("${env:") ? "<as before>" : value))));
    if (uiPort != DEFAULT_UI_PORT) {
      command.append(" --ui-port ").append(uiPort);
    }
    return command.append(" --from-savepoint ").append(quoted(savepoint)).toString();
  }

  /** A shell word: as is when plain, else in single quotes. */
  private static String quoted(String word) {
    return word.matches("[A-Za-z0-9_./:=,@%+-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
  }

  /** The Kafka cluster checked (reachable, credentials, topics), and the catalog it holds; the first failure ends the command. */
  static CatalogLoader checked(JobConfig job) throws Exception {
    Map<String, String> topics = job.kafka().topicsBySetting();
    if (job.catalog().isPresent()) {
      topics.remove("kafka.topics.items");
    }
    KafkaPreflight.check(job.kafka().connection(), topics, job.kafka().connectTimeout());
    return catalog(job);
  }

  /**
   * Inside a JobManager, where a broker restarting must not fail the application: {@link #checked}
   * again after each failure that may pass (no broker answered, a retriable Kafka error), logged,
   * with a backoff doubling from 1 s up to kafka.connect-timeout, for about 10 x
   * kafka.connect-timeout; then the last failure ends the application. A failure that cannot pass
   * (a missing topic, refused credentials, a bad setting, a topic without items) ends it at once.
   */
  static CatalogLoader checkedOnceKafkaAnswers(JobConfig job) throws Exception {
    Duration timeout = job.kafka().connectTimeout();
    long deadline = System.nanoTime() + timeout.multipliedBy(START_WAIT_TIMEOUTS).toNanos();
    Duration backoff = Duration.ofSeconds(1);
    for (int attempt = 1; ; attempt++) {
      try {
        return checked(job);
      } catch (Exception e) {
        // a preflight failure says whether it may pass; else only a bad setting or topic content cannot
        boolean passing = e instanceof KafkaPreflight.Failure f ? f.passing() : !(e instanceof IllegalArgumentException);
        if (!passing) {
          throw e;
        }
        if (System.nanoTime() + backoff.toNanos() > deadline) {
          throw new IllegalStateException("Kafka was not ready for the job after " + attempt + " checks in "
              + timeout.multipliedBy(START_WAIT_TIMEOUTS).toSeconds() + " s (10 x kafka.connect-timeout): " + e.getMessage(), e);
        }
        LOG.warn("check {} of Kafka before the job starts failed, again in {} s: {}", attempt, backoff.toSeconds(), e.getMessage());
        Thread.sleep(backoff.toMillis());
        backoff = backoff.multipliedBy(2).compareTo(timeout) > 0 ? timeout : backoff.multipliedBy(2);
      }
    }
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
