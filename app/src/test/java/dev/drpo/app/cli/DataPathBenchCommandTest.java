package dev.drpo.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DataPathBenchCommandTest {

  @Test
  void runsBothJobsAndEndsWithTheJsonLine() {
    CliRun run = CliRun.of("bench", "datapath", "--records", "20000", "--users", "500", "--json");

    assertThat(run.exit()).isZero();
    List<String> lines = run.lines();
    assertThat(lines).contains("20000 records of 500 users, parallelism 2, RocksDB state, no checkpoints, best of 3 rounds");
    String json = run.lastLine();
    assertThat(json).matches("\\{\"records_per_s\":[0-9.]+,\"decode_only_records_per_s\":[0-9.]+,\"ratio\":[0-9.]+,"
        + "\"cpu_us_per_record\":[0-9.]+,\"decode_only_cpu_us_per_record\":[0-9.]+}");
    double ratio = Double.parseDouble(json.replaceAll(".*\"ratio\":([0-9.]+).*", "$1"));
    assertThat(ratio).isPositive();
  }
}
