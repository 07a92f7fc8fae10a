package dev.drpo.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpo.app.cli.DrpoCli;
import dev.drpo.job.kafka.CommittedRecords;
import dev.drpo.job.kafka.KafkaConnection;
import dev.drpo.job.kafka.KafkaEndpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The deployment of docker-compose.yml, with processes instead of containers: a Kafka broker
 * process configured as compose's {@code kafka}, its topics as compose's {@code topics} creates
 * them, a Flink JobManager and two TaskManager processes with compose's Flink configuration and
 * the job module's target/flink-lib on their classpath, the catalog written and the job (the job
 * module's drpo-job.jar) submitted with compose's commands (Flink's own CLI), and compose's
 * simulated users as their own process. Every process belongs to the test's {@link Processes}.
 */
final class ComposeDeployment {
  private static final ObjectMapper JSON = new ObjectMapper();
  final Path dir;
  final Processes processes;
  final KafkaBrokerProcess kafka;
  final FlinkCluster flink;
  final KafkaConnection connection;
  private final List<String> submit;
  private final Map<String, String> environment;

  private ComposeDeployment(Path dir, Processes processes, KafkaBrokerProcess kafka, FlinkCluster flink, List<String> submit,
      Map<String, String> environment) {
    this.dir = dir;
    this.processes = processes;
    this.kafka = kafka;
    this.flink = flink;
    this.connection = KafkaConnection.plain(kafka.bootstrapServers());
    this.submit = submit;
    this.environment = environment;
  }

  /**
   * Starts the broker, the cluster and two TaskManagers, writes the catalog and submits the job
   * (compose's command, these arguments added, with these environment variables); returns once the
   * job runs.
   */
  static ComposeDeployment start(Path dir, Processes processes, List<String> jobArgs, Map<String, String> environment)
      throws Exception {
    KafkaBrokerProcess kafka = KafkaBrokerProcess.start(processes, dir.resolve("kafka"), Distribution.kafka(), Map.of(), List.of());
    kafka.createComposeTopics();
    FlinkCluster flink = FlinkCluster.start(processes, Distribution.flink(), dir.resolve("flink-conf"), dir.resolve("flink-data"), Map.of());
    flink.startTaskManager("tm-1");
    flink.startTaskManager("tm-2");
    flink.awaitTaskManagers(2, Duration.ofSeconds(90));
    List<String> catalog = composeArgs("catalog", kafka, flink, dir);
    assertThat(processes.run("catalog", Distribution.drpo(), List.of(), DrpoCli.class.getName(), catalog, Map.of(),
        Duration.ofSeconds(120))).as("catalog, see " + processes.log("catalog")).isZero();
    List<String> submit = composeArgs("job", kafka, flink, dir);
    submit.addAll(jobArgs);
    ComposeDeployment deployment = new ComposeDeployment(dir, processes, kafka, flink, submit, environment);
    deployment.submit("submit", List.of(), List.of());
    return deployment;
  }

  /**
   * compose's {@code flink run} again, as its own process named {@code name}, with Flink CLI options
   * before the jar and the job's options after compose's; returns once a job runs.
   */
  String submit(String name, List<String> cliOptions, List<String> jobOptions) throws Exception {
    List<String> args = new ArrayList<>(submit);
    args.addAll(1, cliOptions);
    args.addAll(jobOptions);
    assertThat(flink.flink(name, args, environment, Duration.ofSeconds(180))).as("flink run, see " + processes.log(name)).isZero();
    return flink.awaitJob("RUNNING", Duration.ofSeconds(60));
  }

  /** compose's simulated users (2 hours of logged traffic first), online for this long, their report in users/. */
  Process startUsers(String duration) throws Exception {
    List<String> users = composeArgs("simulator", kafka, flink, dir);
    users.set(users.indexOf("--duration") + 1, duration);
    users.set(users.indexOf("--out") + 1, dir.resolve("users").toString());
    users.addAll(List.of("--offline-hours", "2"));
    return processes.start("users", Distribution.drpo(), List.of(), DrpoCli.class.getName(), users, Map.of());
  }

  /** How many malformed events the users sent, from their report (once they ended). */
  int malformedEventsSent() throws Exception {
    return JSON.readTree(dir.resolve("users/demo.json").toFile()).get("summary").get("malformed_events_sent").asInt();
  }

  /**
   * The committed dead letters, once there are at least {@code expected} (exactly-once ones become
   * visible with the checkpoint after them) or a minute passed; more than expected is returned too.
   */
  int deadLetters(int expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    int count;
    while ((count = CommittedRecords.read(connection, "dead-letters", Duration.ofSeconds(30)).size()) < expected
        && System.nanoTime() < deadline) {
      Thread.sleep(250); // fewer after the deadline: the caller's assertion names the difference
    }
    return count;
  }

  /** drpo.version of every committed record of policy-versions, in order. */
  List<Long> versions() {
    List<Long> versions = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.read(connection, "policy-versions", Duration.ofSeconds(30))) {
      versions.add(KafkaEndpoints.publishedVersion(r));
    }
    return versions;
  }

  /** A compose service's command from `users`/`run` on, with compose's hosts, mounts and volumes made local. */
  private static List<String> composeArgs(String service, KafkaBrokerProcess kafka, FlinkCluster flink, Path dir) throws Exception {
    List<String> command = ComposeFile.command(service);
    Map<String, Path> mounts = new LinkedHashMap<>(ComposeFile.mounts(service));
    for (Map.Entry<String, Path> m : mounts.entrySet()) {
      if (Files.isRegularFile(m.getValue())) {
        // a file mounted alone: nothing beside it (drpo.jar's manifest Class-Path must not find target/lib)
        Path alone = Files.createDirectories(dir.resolve("mounts").resolve(service)).resolve(m.getValue().getFileName());
        m.setValue(Files.copy(m.getValue(), alone, StandardCopyOption.REPLACE_EXISTING));
      }
    }
    int from = command.contains("users") ? command.indexOf("users") : command.indexOf("flink") + 1;
    List<String> args = new ArrayList<>();
    for (String arg : command.subList(from, command.size())) {
      String local = arg.replace("kafka:9092", kafka.bootstrapServers()).replace("jobmanager:8081", flink.restAddress())
          .replace("file:///flink-data", dir.resolve("flink-data").toUri().toString().replaceAll("/$", ""));
      for (Map.Entry<String, Path> m : mounts.entrySet()) {
        if (local.equals(m.getKey())) {
          local = m.getValue().toString();
        } else if (local.startsWith(m.getKey() + "/")) {
          local = m.getValue().resolve(local.substring(m.getKey().length() + 1)).toString();
        }
      }
      args.add(local);
    }
    return args;
  }
}
