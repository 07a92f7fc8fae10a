package dev.drpo.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.job.JobConfig;
import dev.drpo.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

class SimulatorSettingsTest {

  @Test
  void theSimulatorSettingsDescribeItsUsers() {
    JobConfig simulator = Demo.simulatorSettings();
    assertThat(simulator.userFeatureDim()).isEqualTo(SimulatorConfig.defaults().stateDim());
    assertThat(simulator.historyLength()).isZero();
    assertThat(simulator.trainer(128).policy().stateDim()).isEqualTo(128);
  }

}
