package dev.drpo.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The deployment of docker-compose.yml with processes ({@link ComposeDeployment}), through the
 * faults beyond a TaskManager: the Kafka broker is killed with kill -9 and started again 10 s
 * later on the same data directory, then again for 100 s, longer than the sources' partition
 * lookup waits for it (the one wait of docs/operations.md that fits in CI's time and may end in a
 * restart from the last checkpoint); later the JobManager is killed with kill -9 and started
 * again, and, as compose runs without high availability, the job is resumed with the command
 * docs/operations.md gives (compose's `flink run` with {@code --from-latest-checkpoint}). Every
 * outage stays within the default kafka.transaction-timeout (5 min), so nothing of the
 * exactly-once outputs may be lost: docs/operations.md says what a longer one costs.
 */
class FaultsProcessIT {
  private static final Duration SHORT_OUTAGE = Duration.ofSeconds(10);
  /**
   * Longer than an exactly-once sink waits to begin its next transaction (max.block.ms, 60 s) and
   * the sources' partition lookup waits for the broker (default.api.timeout.ms, 60 s), so the job
   * restarts; with the broker's own restart (about 15 s) still shorter than the job's at-least-once
   * answers wait (delivery.timeout.ms, 120 s). The simulated users wait up to 5 min.
   */
  private static final Duration LONG_OUTAGE = Duration.ofSeconds(100);

  @Test
  @Timeout(value = 14, unit = TimeUnit.MINUTES)
  void shouldAnswerEveryRequestThroughABrokerKillAndAJobManagerKill() throws Exception {
    long testStart = System.nanoTime();
    Path dir = Distribution.freshDirectory("faults-it");
    try (Processes processes = new Processes(dir.resolve("logs"))) {
      ComposeDeployment deployment = ComposeDeployment.start(dir, processes, List.of(), Map.of());
      FlinkCluster flink = deployment.flink;
      String job = flink.awaitJob("RUNNING", Duration.ofSeconds(60));
      Process users = deployment.startUsers("360s");
      try (Traffic traffic = new Traffic(deployment.connection, "rec-requests", "recommendations", "policy-versions")) {
        Await.until(() -> traffic.firstAnswerAfter(0).isPresent(), Duration.ofSeconds(120), "a first answer");
        Thread.sleep(20_000);

        BrokerOutage shortOutage = brokerOutage(deployment, traffic, job, SHORT_OUTAGE);
        assertThat(shortOutage.failures()).as("a short outage costs no restart").isEmpty();
        Thread.sleep(15_000);
        BrokerOutage longOutage = brokerOutage(deployment, traffic, job, LONG_OUTAGE);
        assertThat(longOutage.failures()).as("a long one restarts the job from its checkpoint").isNotEmpty();
        Thread.sleep(15_000);

        long jobManagerKilledAt = System.currentTimeMillis();
        flink.killJobManager();
        flink.startJobManager();
        long jobManagerBackAt = System.currentTimeMillis();
        assertThat(flink.jobIn("RUNNING")).as("without high availability a new JobManager knows no job").isNull();
        flink.awaitTaskManagers(2, Duration.ofSeconds(120));
        long taskManagersBackAt = System.currentTimeMillis();
        long versionBeforeResume = Collections.max(deployment.versions());
        long resumedAt = System.currentTimeMillis();
        String resumed = deployment.submit("resume", List.of(), List.of("--from-latest-checkpoint"));
        Await.until(() -> traffic.firstAnswerAfter(resumedAt).isPresent(), Duration.ofSeconds(180),
            "an answer after the job was resumed");
        double jobManagerFirstAnswer = (traffic.firstAnswerAfter(resumedAt).getAsLong() - jobManagerKilledAt) / 1000.0;
        double jobManagerFirstVersion = (firstVersionAbove(traffic, versionBeforeResume, resumedAt) - jobManagerKilledAt) / 1000.0;

        assertThat(users.waitFor(6, TimeUnit.MINUTES)).as("the users end after their --duration").isTrue();
        assertThat(users.exitValue()).as("users, see " + processes.log("users")).isZero();
        Await.until(() -> traffic.unanswered() == 0, Duration.ofSeconds(60),
            "every request answered");
        List<Long> versions = deployment.versions();
        int malformed = deployment.malformedEventsSent();
        int deadLetters = deployment.deadLetters(malformed);

        System.out.printf("faults with processes: %d requests, 0 unanswered, %d answered again (at-least-once), %d dead letters "
                + "of %d malformed events, versions %d..%d; %s; %s; JobManager kill -9: a new one answered after %.1f s, the "
                + "TaskManagers registered after %.1f s, `flink run ... --from-latest-checkpoint` started at %.1f s: first answer "
                + "%.1f s and first new version %.1f s after the kill; whole test %.0f s%n",
            traffic.requests(), traffic.repeats(), deadLetters, malformed, versions.get(0), versions.get(versions.size() - 1),
            shortOutage, longOutage, (jobManagerBackAt - jobManagerKilledAt) / 1000.0,
            (taskManagersBackAt - jobManagerKilledAt) / 1000.0, (resumedAt - jobManagerKilledAt) / 1000.0, jobManagerFirstAnswer,
            jobManagerFirstVersion, (System.nanoTime() - testStart) / 1e9);
        assertThat(processes.output("resume")).as("flink run --from-latest-checkpoint names the checkpoint")
            .containsPattern("resuming from the latest retained checkpoint or savepoint: \\S+/" + job + "/chk-\\d+");
        assertThat(resumed).isNotEqualTo(job);
        assertThat(traffic.requests()).isGreaterThan(500);
        assertThat(deadLetters).as("dead letters (exactly-once) = malformed events sent: none lost, none twice").isEqualTo(malformed)
            .isPositive();
        DeploymentProcessIT.assertOneByOne(versions, "committed versions continue, one by one, across all three kills");
      }
    }
  }

  /** What one broker outage cost, from the kill. */
  private record BrokerOutage(Duration down, double back, List<Double> failures, int checkpointsCompleted,
      int checkpointsFailed, double firstAnswer, double firstVersion) {
    @Override
    public String toString() {
      return String.format("broker kill -9 for %d s, back %.1f s after the kill: %d job failure(s)%s, checkpoints from the kill "
              + "to the first answer after it %d completed, %d failed, first answer %.1f s and first new version %.1f s after "
              + "the kill", down.toSeconds(), back, failures.size(), failures.isEmpty() ? "" : failures.stream().map(f -> String.format("%.1f", f)).collect(Collectors.joining(", ", " at ", " s")),
          checkpointsCompleted, checkpointsFailed, firstAnswer, firstVersion);
    }
  }

  /**
   * Kills the broker with kill -9, starts it again on the same data directory and ports after
   * {@code down}, and waits for an answer after it is back; asserts the job (the same one, restarted
   * or not) runs again.
   */
  private static BrokerOutage brokerOutage(ComposeDeployment deployment, Traffic traffic, String job, Duration down)
      throws Exception {
    FlinkCluster flink = deployment.flink;
    JsonNode checkpointsBefore = flink.get("/jobs/" + job + "/checkpoints").get("counts");
    long versionBefore = Collections.max(deployment.versions());
    long killedAt = System.currentTimeMillis();
    deployment.kafka.kill();
    Thread.sleep(down.toMillis());
    deployment.kafka.restart();
    long backAt = System.currentTimeMillis();
    Await.until(() -> traffic.firstAnswerAfter(backAt).isPresent(), Duration.ofSeconds(180),
        "an answer after the broker came back");
    JsonNode checkpointsAfter = flink.get("/jobs/" + job + "/checkpoints").get("counts");
    double firstAnswer = (traffic.firstAnswerAfter(backAt).getAsLong() - killedAt) / 1000.0;
    double firstVersion = (firstVersionAbove(traffic, versionBefore, killedAt) - killedAt) / 1000.0;
    List<Double> failures = flink.failures(job).stream().filter(t -> t > killedAt).sorted().map(t -> (t - killedAt) / 1000.0).toList();
    Await.until(() -> job.equals(flink.jobIn("RUNNING")), Duration.ofSeconds(60), "the job running after the broker's outage of " + down);
    return new BrokerOutage(down, (backAt - killedAt) / 1000.0, failures,
        checkpointsAfter.get("completed").asInt() - checkpointsBefore.get("completed").asInt(),
        checkpointsAfter.get("failed").asInt() - checkpointsBefore.get("failed").asInt(), firstAnswer, firstVersion);
  }

  /**
   * When the follower first saw, after {@code t}, a committed version above {@code version} (the
   * newest one committed when it was read), waiting for it.
   */
  private static long firstVersionAbove(Traffic traffic, long version, long t) throws Exception {
    Await.until(() -> traffic.firstVersionAbove(version, t).isPresent(), Duration.ofSeconds(180), "a version above " + version);
    return traffic.firstVersionAbove(version, t).getAsLong();
  }
}
