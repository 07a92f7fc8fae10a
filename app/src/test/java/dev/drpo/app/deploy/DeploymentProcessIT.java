package dev.drpo.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpo.app.cli.DrpoCli;
import dev.drpo.job.RunCommand;
import dev.drpo.job.kafka.CommittedRecords;
import dev.drpo.job.kafka.KafkaConnection;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The deployment of docker-compose.yml, with processes instead of containers: a Kafka broker
 * process configured as compose's {@code kafka}, its topics as compose's {@code topics} creates
 * them, a Flink JobManager and two TaskManager processes with compose's Flink configuration and
 * the job module's target/flink-lib on their classpath, the catalog and the job (the job module's
 * drpo-job.jar) submitted with compose's commands
 * (Flink's own CLI), and compose's simulated users as their own process. Mid-run one TaskManager
 * that runs the job is killed with kill -9 and a new one started; later the job is stopped with a
 * savepoint through the REST API and submitted again from it.
 */
class DeploymentProcessIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "pw-" + UUID.randomUUID();
  private static final String SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule required";

  @Test
  void shouldSubmitAJobJarAndLibrariesThatHoldNothingOfTheTools() throws IOException {
    try (JarFile jar = new JarFile(Distribution.JOB_TARGET.resolve("drpo-job.jar").toFile())) {
      List<String> classes = jar.stream().map(JarEntry::getName).filter(n -> n.endsWith(".class")).toList();
      assertThat(classes).as("the job jar's classes").isNotEmpty().allMatch(c -> c.startsWith("dev/drpo/job/"));
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo(RunCommand.class.getName());
    }
    try (Stream<Path> files = Files.list(Distribution.JOB_TARGET.resolve("flink-lib"))) {
      assertThat(files.map(f -> f.getFileName().toString()).toList()).as("the cluster's libraries")
          .anyMatch(n -> n.startsWith("picocli-"))
          .noneMatch(n -> n.startsWith("drpo-simulator") || n.startsWith("drpo-app") || n.startsWith("drpo-embedded-kafka")
              || n.startsWith("kafka_") || n.startsWith("kafka-server") || n.startsWith("jfreechart") || n.startsWith("log4j"));
    }
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void shouldAnswerEveryRequestThroughATaskManagerKillAndASavepointRollout() throws Exception {
    long testStart = System.nanoTime();
    Path dir = Distribution.freshDirectory("deployment-it");
    try (Processes processes = new Processes(dir.resolve("logs"))) {
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
      // a secret through the environment, as a secured deployment passes its Kafka password (ignored by a PLAINTEXT listener)
      submit.addAll(List.of("--set", "kafka.properties.sasl.jaas.config=" + SCRAM + " username=\"drpo\" password=\"${env:KAFKA_PASSWORD}\";"));
      Map<String, String> password = Map.of("KAFKA_PASSWORD", SECRET);
      assertThat(flink.flink("submit", submit, password, Duration.ofSeconds(180))).as("flink run, see " + processes.log("submit")).isZero();
      String job = flink.awaitJob("RUNNING", Duration.ofSeconds(60));

      List<String> users = composeArgs("simulator", kafka, flink, dir);
      users.addAll(List.of("--offline-hours", "2"));
      Process usersProcess = processes.start("users", Distribution.drpo(), List.of(), DrpoCli.class.getName(), users, Map.of());
      KafkaConnection connection = KafkaConnection.plain(kafka.bootstrapServers());
      try (Traffic traffic = new Traffic(connection, "rec-requests", "recommendations")) {
        Await.until(() -> traffic.firstAnswerAfter(0).isPresent(), Duration.ofSeconds(120), "a first answer");
        Thread.sleep(20_000);

        String victim = flink.taskManagersOf(job).iterator().next();
        long killedAt = System.currentTimeMillis();
        flink.killTaskManager(victim);
        flink.startTaskManager("tm-3");
        long failedOverAt = flink.awaitFailover(job, killedAt, Duration.ofSeconds(120));
        Await.until(() -> traffic.firstAnswerAfter(failedOverAt).isPresent(), Duration.ofSeconds(120),
            "an answer after the failover from the kill of " + victim);
        double detectedSeconds = (failedOverAt - killedAt) / 1000.0;
        double recoverySeconds = (traffic.firstAnswerAfter(failedOverAt).getAsLong() - killedAt) / 1000.0;
        Thread.sleep(10_000);

        String savepoint = flink.stopWithSavepoint(job, dir.resolve("savepoints"), Duration.ofSeconds(120));
        List<Long> versionsBefore = versions(connection);
        long resubmittedAt = System.currentTimeMillis();
        List<String> again = new ArrayList<>(submit);
        again.addAll(1, List.of("--fromSavepoint", savepoint));
        assertThat(flink.flink("resubmit", again, password, Duration.ofSeconds(180))).as("flink run -s, see " + processes.log("resubmit")).isZero();
        Await.until(() -> traffic.firstAnswerAfter(resubmittedAt).isPresent(), Duration.ofSeconds(120),
            "an answer after the resubmission");
        double rolloutSeconds = (traffic.firstAnswerAfter(resubmittedAt).getAsLong() - resubmittedAt) / 1000.0;

        assertThat(usersProcess.waitFor(4, TimeUnit.MINUTES)).as("the users end after their --duration").isTrue();
        assertThat(usersProcess.exitValue()).as("users, see " + processes.log("users")).isZero();
        Await.until(() -> traffic.unanswered() == 0, Duration.ofSeconds(60), "every request answered");
        int malformed = JSON.readTree(dir.resolve("users/demo.json").toFile()).get("summary").get("malformed_events_sent").asInt();
        // exactly-once dead letters become visible with the checkpoint after them; more than the malformed would fail below
        Await.until(() -> CommittedRecords.read(connection, "dead-letters", Duration.ofSeconds(30)).size() >= malformed,
            Duration.ofSeconds(60), malformed + " dead letters");
        int deadLetters = CommittedRecords.read(connection, "dead-letters", Duration.ofSeconds(30)).size();
        List<Long> versions = versions(connection);
        String metrics = scrapePrometheus();
        String job2 = flink.jobIn("RUNNING");
        String webUi = flink.get("/jobs/" + job2 + "/config") + "\n" + flink.get("/jobs/" + job2 + "/plan") + "\n"
            + flink.get("/jobmanager/config");

        System.out.printf("deployment with processes: %d requests, 0 unanswered, %d answered again (at-least-once), "
                + "%d dead letters, versions %d..%d (%d before the savepoint); kill -9 of %s: failure detected after %.1f s, first answer "
                + "after recovery %.1f s after the kill; rollout from the savepoint: first answer %.1f s after `flink run -s`; "
                + "whole test %.0f s%n",
            traffic.requests(), traffic.repeats(), deadLetters, versions.get(0), versions.get(versions.size() - 1),
            versionsBefore.size(), victim, detectedSeconds, recoverySeconds, rolloutSeconds, (System.nanoTime() - testStart) / 1e9);
        assertThat(traffic.requests()).isGreaterThan(500);
        assertThat(deadLetters).as("dead letters = malformed events sent").isEqualTo(malformed);
        assertThat(deadLetters).isPositive();
        assertThat(versionsBefore).as("versions published before the savepoint").isNotEmpty();
        assertThat(versions.size()).as("versions published after the rollout").isGreaterThan(versionsBefore.size());
        for (int i = 1; i < versions.size(); i++) {
          assertThat(versions.get(i)).as("committed versions continue, one by one, across the kill and the savepoint")
              .isEqualTo(versions.get(i - 1) + 1);
        }
        assertThat(webUi).as("the web UI's job and cluster configuration").contains("drpo").doesNotContain(SECRET);
        assertThat(processes.allLines()).as("no line of any process shows the secret").noneMatch(l -> l.contains(SECRET));
        for (String name : List.of("policyVersion", "keepFraction", "threshold", "deadLetters", "scoringLatencyMicros")) {
          assertThat(metrics).as("Prometheus metric " + name).containsPattern("(?m)^flink_taskmanager_job_task_operator\\w*_" + name);
        }
      }
    }
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
    if (service.equals("simulator")) {
      args.set(args.indexOf("--duration") + 1, "150s");
      args.set(args.indexOf("--out") + 1, dir.resolve("users").toString());
    }
    return args;
  }

  /** drpo.version of every committed record of policy-versions, in order. */
  private static List<Long> versions(KafkaConnection kafka) {
    List<Long> versions = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.read(kafka, "policy-versions", Duration.ofSeconds(30))) {
      versions.add(Long.parseLong(new String(r.headers().lastHeader("drpo.version").value(), StandardCharsets.UTF_8)));
    }
    return versions;
  }

  /** Every reporter endpoint of compose's metrics.reporter.prom.port range that answers. */
  private static String scrapePrometheus() throws Exception {
    String range = null;
    for (String line : ComposeFile.environment("jobmanager").get("FLINK_PROPERTIES").split("\n")) {
      if (line.trim().startsWith("metrics.reporter.prom.port:")) {
        range = line.split(":", 2)[1].trim();
      }
    }
    assertThat(range).as("compose configures the Prometheus reporter's port").isNotNull();
    String[] bounds = range.split("-");
    StringBuilder all = new StringBuilder();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    for (int port = Integer.parseInt(bounds[0]); port <= Integer.parseInt(bounds[bounds.length - 1]); port++) {
      try {
        all.append(http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics")).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body());
      } catch (IOException nothingThere) {
        // a port of the range no process took
      }
    }
    Files.writeString(Path.of("target", "deployment-metrics.txt"), all);
    return all.toString();
  }
}
