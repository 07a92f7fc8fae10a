package dev.drpo.simulator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.simulator.LoggedData;
import dev.drpo.simulator.LoggingMix;
import dev.drpo.simulator.SimulatorConfig;
import dev.drpo.simulator.World;
import org.junit.jupiter.api.Test;

class LinearBoundTest {
  static final World WORLD = new World(SimulatorConfig.defaults().withDimension(16), 1);

  @Test
  void cloningTheExpertWithALinearMapServesFarAboveTheLoggingPolicy() {
    LoggedData expert = new LoggedData(WORLD, new LoggingMix(1, 0, 0), 20_000, 2);
    LoggedData medium = new LoggedData(WORLD, LoggingMix.MEDIUM, 20_000, 3);
    double cloned = WORLD.evaluate(LinearBound.fit(WORLD, expert, LinearBound.uniform(expert))::mean, 1).normalized();
    double clonedMedium = WORLD.evaluate(LinearBound.fit(WORLD, medium, LinearBound.uniform(medium))::mean, 1).normalized();

    assertThat(cloned).isGreaterThan(0.8).isGreaterThan(clonedMedium + 0.1);
  }

  @Test
  void drpoWeightsOnMixedLogsBeatCloningThemAll() {
    LoggedData medium = new LoggedData(WORLD, LoggingMix.MEDIUM, 20_000, 4);
    double all = WORLD.evaluate(LinearBound.fit(WORLD, medium, LinearBound.uniform(medium))::mean, 1).normalized();
    double top = WORLD.evaluate(LinearBound.fit(WORLD, medium, LinearBound.drpo(medium, 0.2))::mean, 1).normalized();

    System.out.printf("linear closed form, 16-d world, medium logs: all samples %.3f, top 20%% with DRPO weights %.3f%n", all, top);
    assertThat(top).isGreaterThan(all + 0.1);
  }
}
