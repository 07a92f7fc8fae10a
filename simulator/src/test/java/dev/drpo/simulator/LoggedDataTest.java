package dev.drpo.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoggedDataTest {

  @Test
  void writesOneInteractionEventPerLineInTheJobsSchema(@TempDir Path dir) throws Exception {
    World world = new World(SimulatorConfig.defaults().withDimension(8).withSize(50, 20, 5, 10), 1);
    Path file = dir.resolve("logs.jsonl");

    new LoggedData(world, LoggingMix.MEDIUM, 10, 2).writeJsonLines(file, 1_700_000_000_000L, 1_000);

    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(10);
    assertThat(lines.get(3)).matches(
        "\\{\"eventId\":\"log-3\",\"userId\":\"user-\\d+\",\"itemId\":\"item-\\d+\",\"ts\":1700000003000,\"reward\":[01]\\.\\d{6}}");
  }
}
