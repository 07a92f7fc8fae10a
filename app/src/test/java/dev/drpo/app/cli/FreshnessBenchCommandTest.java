package dev.drpo.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class FreshnessBenchCommandTest {

  @Test
  void measuresHowSoonAdmittedInteractionsReachTheScorersAndTheTopic() throws Exception {
    CliRun run = CliRun.of("bench", "freshness", "--events-per-s", "400", "--duration", "3s", "--no-drift",
        "--set", "checkpoints.interval=1s", "--json");

    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode result = new ObjectMapper().readTree(run.lastLine());
    assertThat(result.has("drift")).isFalse();
    JsonNode r = result.get("runs").get(0);
    assertThat(r.get("events_per_s").asInt()).isEqualTo(400);
    assertThat(r.get("achieved_events_per_s").asDouble()).isBetween(200.0, 600.0);
    assertThat(r.get("admitted").asLong()).isPositive();
    assertThat(r.get("versions_per_s").asDouble()).isPositive();
    assertThat(r.get("scorers_p50_ms").asDouble()).isPositive().isLessThanOrEqualTo(r.get("scorers_p99_ms").asDouble());
    assertThat(r.get("topic_p99_ms").asDouble()).as("a version reaches the topic after the scorers")
        .isGreaterThanOrEqualTo(r.get("scorers_p50_ms").asDouble());
  }
}
