package dev.drpo.job.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.job.kafka.CheckedProducer;
import dev.drpo.job.kafka.CommittedRecords;
import dev.drpo.job.kafka.KafkaConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The job and the users against a broker process whose client listener takes SASL_PLAINTEXT with
 * SCRAM-SHA-512 only: with the password from an environment variable they connect, with a wrong one
 * `drpo run` ends at once with one line; the password appears in no line any process wrote.
 */
class SecuredKafkaIT {
  private static final String SECRET = "pw-" + UUID.randomUUID();
  private static final String SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule required";

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void shouldConnectWithThePasswordFromTheEnvironmentRefuseAWrongOneAtOnceAndNeverPrintIt() throws Exception {
    Path dir = Distribution.freshDirectory("secured-kafka-it");
    try (Processes processes = new Processes(dir.resolve("logs"))) {
      KafkaBrokerProcess kafka = KafkaBrokerProcess.start(processes, dir.resolve("kafka"), Distribution.kafka(), Map.of(
              "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:SASL_PLAINTEXT",
              "sasl.enabled.mechanisms", "SCRAM-SHA-512",
              "listener.name.external.scram-sha-512.sasl.jaas.config", SCRAM + ";"),
          List.of("--add-scram", "SCRAM-SHA-512=[name=drpo,password=" + SECRET + "]"));
      kafka.createComposeTopics();
      Path config = dir.resolve("job.yaml");
      Files.writeString(config, """
          kafka:
            bootstrap-servers: %s
            connect-timeout: 20s
            properties:
              security.protocol: SASL_PLAINTEXT
              sasl.mechanism: SCRAM-SHA-512
              sasl.jaas.config: %s username="drpo" password="${env:KAFKA_PASSWORD}";
          checkpoints:
            interval: 2s
            directory: %s
            savepoint-directory: %s
          """.formatted(kafka.externalBootstrapServers(), SCRAM, dir.resolve("checkpoints").toUri(), dir.resolve("savepoints").toUri()));
      Map<String, String> password = Map.of("KAFKA_PASSWORD", SECRET);

      assertThat(processes.run("catalog", Distribution.drpo(), List.of(), "dev.drpo.job.cli.DrpoCli",
          List.of("users", "--config", config.toString(), "--catalog-only"), password, Duration.ofSeconds(120)))
          .as("drpo users over SASL, see " + processes.log("catalog")).isZero();
      Process job = processes.start("run", Distribution.drpo(), List.of(), "dev.drpo.job.cli.DrpoCli",
          List.of("run", "--config", config.toString()), password);
      KafkaConnection client = KafkaConnection.of(kafka.externalBootstrapServers(), Map.of("security.protocol", "SASL_PLAINTEXT",
          "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", SCRAM + " username=\"drpo\" password=\"" + SECRET + "\";"));
      try (CheckedProducer producer = CheckedProducer.to(client)) {
        producer.send("interactions", "{\"truncated".getBytes(StandardCharsets.UTF_8));
        producer.send("rec-requests", "{\"requestId\":\"r-1\",\"userId\":\"u-1\",\"ts\":%d,\"k\":3}"
            .formatted(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
      }
      FlinkCluster.awaitTrue(() -> !job.isAlive()
              || !CommittedRecords.read(client, "recommendations", Duration.ofSeconds(10)).isEmpty()
              && !CommittedRecords.read(client, "dead-letters", Duration.ofSeconds(10)).isEmpty(),
          Duration.ofSeconds(150), "the job's answer and dead letter over SASL");
      assertThat(job.isAlive()).as("the job runs, see " + processes.log("run")).isTrue();
      Processes.kill(job);

      long start = System.nanoTime();
      int exit = processes.run("wrong-password", Distribution.drpo(), List.of(), "dev.drpo.job.cli.DrpoCli",
          List.of("run", "--config", config.toString()), Map.of("KAFKA_PASSWORD", "not-" + SECRET), Duration.ofSeconds(60));
      double seconds = (System.nanoTime() - start) / 1e9;
      List<String> lines = processes.output("wrong-password").lines().toList();
      System.out.printf("SASL/SCRAM-SHA-512: connected with the right password; a wrong one ended `drpo run` after %.1f s with: %s%n",
          seconds, lines.get(lines.size() - 1));
      assertThat(exit).isEqualTo(2);
      assertThat(lines.stream().filter(l -> l.startsWith("drpo:"))).containsExactly(lines.get(lines.size() - 1));
      assertThat(lines.get(lines.size() - 1)).startsWith("drpo: Kafka at " + kafka.externalBootstrapServers()
          + " refused the credentials (kafka.properties.*): Authentication failed");
      assertThat(processes.allLines()).as("no line of any process shows the password").noneMatch(l -> l.contains(SECRET));
    }
  }
}
