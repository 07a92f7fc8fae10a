package dev.drpo.app.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.drpo.operators.estimate.ValueEstimate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionEstimatesTest {

  static ValueEstimate estimate(double reward, double low, double high, double effectiveAnswers, double servedReward) {
    ValueEstimate e = new ValueEstimate();
    e.reward = reward;
    e.low = low;
    e.high = high;
    e.effectiveAnswers = effectiveAnswers;
    e.servedReward = servedReward;
    return e;
  }

  @Test
  void shouldSetEachEstimateBesideWhatItsVersionThenEarnedAndBesideTheWindowsOwnMean() {
    Map<Long, ValueEstimate> estimates = Map.of(
        3L, estimate(0.50, 0.45, 0.55, 40, 0.40),
        4L, estimate(0.30, 0.28, 0.32, 80, 0.45),
        7L, estimate(0.42, Double.NaN, Double.NaN, 20, 0.45),
        5L, estimate(0.90, 0.80, 1.00, 10, 0.40),
        6L, estimate(Double.NaN, Double.NaN, Double.NaN, 0, 0.40));
    Map<Long, SimulatedUsers.Served> served = Map.of(
        3L, new SimulatedUsers.Served(1_000, 0.52, 0.52),
        4L, new SimulatedUsers.Served(500, 0.40, 0.40),
        5L, new SimulatedUsers.Served(VersionEstimates.MIN_ANSWERS - 1, 0.40, 0.40),
        6L, new SimulatedUsers.Served(1_000, 0.40, 0.40),
        7L, new SimulatedUsers.Served(1_000, 0.40, 0.40));

    Map<String, Object> s = VersionEstimates.compare(estimates, served);

    assertThat(s).containsEntry("versions_estimated", 5).containsEntry("versions_compared", 3).containsEntry("versions_with_interval", 2);
    assertThat((List<?>) s.get("versions")).as("too few answers, or no estimate: left out").hasSize(3);
    assertThat((Double) s.get("mean_abs_error")).isCloseTo((0.02 + 0.10 + 0.02) / 3, within(1e-12));
    assertThat((Double) s.get("interval_holds_served_share")).as("of the versions with an interval").isEqualTo(0.5);
    assertThat((Double) s.get("window_served_abs_error")).isCloseTo((0.12 + 0.05 + 0.05) / 3, within(1e-12));
    assertThat((Double) s.get("mean_effective_answers")).isCloseTo((40 + 80 + 20) / 3.0, within(1e-12));
  }
}
