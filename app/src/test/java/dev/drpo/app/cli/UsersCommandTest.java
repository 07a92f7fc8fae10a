package dev.drpo.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.embedded.EmbeddedKafka;
import dev.drpo.job.kafka.ItemsTopic;
import dev.drpo.job.kafka.KafkaConnection;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsersCommandTest {

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void writesTheSimulatorsCatalogToTheItemsTopicForTheJobToReadThroughAFixedPort(@TempDir Path dir) throws Exception {
    int port = freePort();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(port, dir)) {
      kafka.createTopics(1, List.of(), List.of("items"));
      assertThat(kafka.bootstrapServers()).isEqualTo("localhost:" + port);

      CliRun run = CliRun.of("users", "--bootstrap-servers", kafka.bootstrapServers(), "--catalog-only");

      assertThat(run.exit()).isZero();
      var items = ItemsTopic.read(KafkaConnection.plain(kafka.bootstrapServers()), "items", Duration.ofSeconds(30));
      assertThat(items.size()).isEqualTo(5_000);
      assertThat(items.dimension()).isEqualTo(128);
    }
  }

  @Test
  void refusesAJobWhoseStateIsNotWhatTheUsersSendNamingTheSettings(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("job.yaml");
    Files.writeString(config, "kafka:\n  bootstrap-servers: localhost:1\n");

    CliRun run = CliRun.of("users", "--config", config.toString());

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("drpo: the simulator's users send 128 user features and no history: run the job with"
        + " events.user-feature-dim=128 and state.history-length=0 (conf/simulator.yaml); --config has"
        + " events.user-feature-dim=0 and state.history-length=10");
  }
}
