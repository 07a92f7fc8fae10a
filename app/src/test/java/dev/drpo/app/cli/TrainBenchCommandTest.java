package dev.drpo.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TrainBenchCommandTest {

  @Test
  void printsATableAndEndsWithTheJsonLine() {
    CliRun run = CliRun.of("bench", "train", "--batches", "16,32", "--seconds", "0.05", "--json");

    assertThat(run.exit()).isZero();
    List<String> lines = run.lines();
    assertThat(lines.get(0)).startsWith("backend CPU (nd4j-native, OpenBLAS), threads ");
    assertThat(lines).anyMatch(l -> l.trim().startsWith("16 ")).anyMatch(l -> l.trim().startsWith("32 "));
    String json = run.lastLine();
    assertThat(json).startsWith("{\"samples_per_s\":").contains("\"speedup_vs_samediff\":", "\"roofline_ratio\":",
        "\"gemm_gflops\":", "\"step_gflops\":", "\"samediff_samples_per_s\":", "\"backend\":\"CPU", "\"threads\":").endsWith("}");
    double samplesPerS = Double.parseDouble(json.replaceAll(".*\"samples_per_s\":([0-9.]+).*", "$1"));
    assertThat(samplesPerS).isPositive();
  }

  @Test
  void rejectsABatchTooSmallToFilterWithAClearMessage() {
    StringWriter err = new StringWriter();
    CommandLine cli = DrpoCli.commandLine();
    cli.setErr(new PrintWriter(err));
    assertThat(cli.execute("bench", "train", "--batches", "1")).isEqualTo(2);
    assertThat(err.toString()).contains("drpo: --batches: every batch size must be at least 2, got 1");
  }
}
