package dev.drpo.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.job.RunCommand;
import dev.drpo.job.kafka.KafkaConnection;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The deployment of docker-compose.yml with processes ({@link ComposeDeployment}). Mid-run one
 * TaskManager that runs the job is killed with kill -9 and a new one started; later the job is
 * stopped with a savepoint through the REST API and submitted again from it.
 */
class DeploymentProcessIT {
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
      // a secret through the environment, as a secured deployment passes its Kafka password (ignored by a PLAINTEXT listener)
      ComposeDeployment deployment = ComposeDeployment.start(dir, processes,
          List.of("--set", "kafka.properties.sasl.jaas.config=" + SCRAM + " username=\"drpo\" password=\"${env:KAFKA_PASSWORD}\";"),
          Map.of("KAFKA_PASSWORD", SECRET));
      FlinkCluster flink = deployment.flink;
      String job = flink.awaitJob("RUNNING", Duration.ofSeconds(60));
      Process usersProcess = deployment.startUsers("150s");
      KafkaConnection connection = deployment.connection;
      try (Traffic traffic = new Traffic(connection, "rec-requests", "recommendations", "policy-versions")) {
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
        List<Long> versionsBefore = deployment.versions();
        long resubmittedAt = System.currentTimeMillis();
        deployment.submit("resubmit", List.of("--fromSavepoint", savepoint), List.of());
        Await.until(() -> traffic.firstAnswerAfter(resubmittedAt).isPresent(), Duration.ofSeconds(120),
            "an answer after the resubmission");
        double rolloutSeconds = (traffic.firstAnswerAfter(resubmittedAt).getAsLong() - resubmittedAt) / 1000.0;

        assertThat(usersProcess.waitFor(4, TimeUnit.MINUTES)).as("the users end after their --duration").isTrue();
        assertThat(usersProcess.exitValue()).as("users, see " + processes.log("users")).isZero();
        Await.until(() -> traffic.unanswered() == 0, Duration.ofSeconds(60), "every request answered");
        int malformed = deployment.malformedEventsSent();
        int deadLetters = deployment.deadLetters(malformed);
        List<Long> versions = deployment.versions();
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
        assertOneByOne(versions, "committed versions continue, one by one, across the kill and the savepoint");
        assertThat(webUi).as("the web UI's job and cluster configuration").contains("drpo").doesNotContain(SECRET);
        assertThat(processes.allLines()).as("no line of any process shows the secret").noneMatch(l -> l.contains(SECRET));
        for (String name : List.of("policyVersion", "keepFraction", "threshold", "deadLetters", "scoringLatencyMicros")) {
          assertThat(metrics).as("Prometheus metric " + name).containsPattern("(?m)^flink_taskmanager_job_task_operator\\w*_" + name);
        }
      }
    }
  }

  /** Each version one more than the one before it. */
  static void assertOneByOne(List<Long> versions, String what) {
    for (int i = 1; i < versions.size(); i++) {
      assertThat(versions.get(i)).as(what).isEqualTo(versions.get(i - 1) + 1);
    }
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
