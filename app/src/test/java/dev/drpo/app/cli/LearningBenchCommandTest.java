package dev.drpo.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LearningBenchCommandTest {

  @Test
  void quickRunWritesTheReportAndTheCharts(@TempDir Path out) throws Exception {
    CliRun run = CliRun.of("bench", "learning", "--quick", "--d", "16", "--steps", "100", "--out", out.toString());

    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("reachable ceiling (linear oracle)", "of ceiling", "medium seed 1 DRPO", "extreme seed 1 APG",
        "noise 80% seed 1 CRR", "wall time");
    String json = Files.readString(out.resolve("learning.json"));
    assertThat(json).startsWith("{\"config\":").contains("\"steps\":100", "\"seeds\":1");
    for (String method : new String[] {"DRPO", "DRPO-Exp", "Adaptive BC", "DRPO-Stream", "BC", "APG", "AWR", "CRR", "IQL", "BPPO", "AsymRe"}) {
      assertThat(json).contains("\"" + method + "\":{\"reward_mean\":");
    }
    assertThat(json).contains("\"scenarios\":{\"medium\":{\"oracle_reward\":", "\"extreme\":{\"oracle_reward\":",
        "\"linear_oracle_normalized\":", "\"of_ceiling\":", "\"noise_sweep\":{\"DRPO\":{\"0\":", "\"intensity\":{\"APG\":[[0,",
        "\"dropped_gradient_norm\":{\"DRPO\":[[0,");
    for (String png : new String[] {"results.png", "noise_sweep.png", "intensity.png"}) {
      assertThat(Files.size(out.resolve(png))).isGreaterThan(1_000);
    }
  }

  @Test
  void aBadMixIsAClearError() {
    StringWriter err = new StringWriter();
    CommandLine cli = DrpoCli.commandLine();
    cli.setErr(new PrintWriter(err));
    assertThat(cli.execute("bench", "learning", "--quick", "--mix", "10/20", "--out", "/tmp/never")).isEqualTo(2);
    assertThat(err.toString()).contains("drpo: a logging mix is medium, extreme or E/P/R in percent, got 10/20");
  }
}
