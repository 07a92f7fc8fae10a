package dev.drpo.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataPathBenchCommandTest {

  @Test
  void runsBothJobsAndEndsWithTheJsonLine() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream previous = System.out;
    System.setOut(new PrintStream(out, true));
    int exit;
    try {
      exit = DrpoCli.commandLine().execute("bench", "datapath", "--records", "20000", "--json");
    } finally {
      System.setOut(previous);
    }

    assertThat(exit).isZero();
    List<String> lines = out.toString().lines().toList();
    assertThat(lines.get(0)).isEqualTo("20000 records, parallelism 2, RocksDB state");
    String json = lines.get(lines.size() - 1);
    assertThat(json).matches("\\{\"records_per_s\":[0-9.]+,\"decode_only_records_per_s\":[0-9.]+,\"ratio\":[0-9.]+}");
    double ratio = Double.parseDouble(json.replaceAll(".*\"ratio\":([0-9.]+).*", "$1"));
    assertThat(ratio).isPositive();
  }
}
