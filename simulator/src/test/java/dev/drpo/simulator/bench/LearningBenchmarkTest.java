package dev.drpo.simulator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.simulator.LoggingMix;
import dev.drpo.simulator.SimulatorConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small version of the full benchmark: same code path, a 32-d world, a few hundred steps. */
class LearningBenchmarkTest {

  @Test
  void writesEveryMethodForBothPresetsTheNoiseSweepAndTheCharts(@TempDir Path out) throws Exception {
    SimulatorConfig small = SimulatorConfig.defaults().withDimension(32).withSize(1_000, 400, 100, 20_000);
    Map<String, LoggingMix> scenarios = new LinkedHashMap<>();
    scenarios.put("medium", LoggingMix.MEDIUM);
    scenarios.put("extreme", LoggingMix.EXTREME);
    ByteArrayOutputStream progress = new ByteArrayOutputStream();

    LearningBenchmark.run(new LearningBenchmark.Options(small, null, null, scenarios, 200, 64, 1, 2), out,
        new PrintStream(progress, true));

    String json = Files.readString(out.resolve("learning.json"));
    for (String method : Methods.ALL) {
      assertThat(json).contains("\"" + method + "\":{\"reward_mean\":");
    }
    assertThat(json).contains("\"scenarios\":{\"medium\":{\"oracle_reward\":", "\"extreme\":{\"oracle_reward\":",
        "\"noise_sweep\":{", "\"intensity\":{\"APG\":[[0,", "\"dropped_gradient_norm\":{\"DRPO\":[[0,");
    assertThat(progress.toString()).contains("[1/", "wall time").contains("medium: oracle");
    for (String png : new String[] {"results.png", "noise_sweep.png", "intensity.png"}) {
      assertThat(Files.size(out.resolve(png))).isGreaterThan(1_000);
    }
  }
}
