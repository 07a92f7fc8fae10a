package dev.drpo.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A wrong address or topic ends `drpo run` and `drpo users` within kafka.connect-timeout, with one line, exit 2. */
class KafkaPreflightCommandTest {

  @Test
  void shouldEndRunAndUsersWithOneLineNamingTheServersWhenNoBrokerAnswers() throws Exception {
    String nowhere = "localhost:" + UsersCommandTest.freePort();
    for (String command : List.of("run", "users")) {
      long start = System.nanoTime();

      CliRun run = CliRun.of(command, "--set", "kafka.bootstrap-servers=" + nowhere, "--set", "kafka.connect-timeout=3s");

      double seconds = (System.nanoTime() - start) / 1e9;
      assertThat(run.exit()).as(command).isEqualTo(2);
      assertThat(run.err().lines().toList()).as(command).containsExactly(
          "drpo: Kafka at " + nowhere + ": no broker answered within 3.0 s (kafka.bootstrap-servers, kafka.connect-timeout;"
              + " for a secured cluster kafka.properties.security.protocol)");
      assertThat(seconds).as(command).isLessThan(15);
    }
  }

  @Test
  void shouldNameAMissingTopicAndTheSettingThatNamesIt(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir)) {
      kafka.createTopics(1, List.of("interactions", "rec-requests", "recommendations", "dead-letters"), List.of("items"));

      CliRun run = CliRun.of("run", "--set", "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
          "--set", "kafka.topics.policy-versions=policies");

      assertThat(run.exit()).isEqualTo(2);
      assertThat(run.err().lines().toList()).containsExactly(
          "drpo: Kafka at " + kafka.bootstrapServers() + ": topic 'policies' (kafka.topics.policy-versions) does not exist");
    }
  }
}
