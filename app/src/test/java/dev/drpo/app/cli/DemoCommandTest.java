package dev.drpo.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, short: the whole loop runs and writes its report. */
class DemoCommandTest {

  @Test
  void aShortDemoServesRequestsAndWritesItsTimelineAndChart(@TempDir Path out) throws Exception {
    // softmax exploration: answers carry propensities, the users echo them, versions carry estimates
    CliRun run = CliRun.of("demo", "--duration", "30s", "--offline-hours", "1", "--ui-port", "18081", "--out", out.toString(),
        "--set", "scorer.exploration=softmax");

    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("Kafka broker: localhost:").contains("Flink web UI: http://localhost:18081");
    JsonNode report = new ObjectMapper().readTree(out.resolve("demo.json").toFile());
    assertThat(report.get("timeline").size()).isGreaterThan(2);
    JsonNode first = report.get("timeline").get(0);
    for (String field : new String[] {"t_s", "events", "admitted", "kappa", "nu", "policy_version", "estimate_ms", "served_reward",
        "normalized", "dead_letters"}) {
      assertThat(first.has(field)).as(field).isTrue();
    }
    JsonNode summary = report.get("summary");
    assertThat(summary.get("events").asLong()).isPositive();
    assertThat(summary.get("unexpected_answers").asLong()).isZero();
    assertThat(Files.size(out.resolve("demo.png"))).isPositive();
    JsonNode estimates = summary.get("version_estimates");
    assertThat(estimates.get("versions_estimated").asInt())
        .as("versions published once the users took answers' first items carry an estimate").isPositive();
    for (JsonNode v : estimates.get("versions")) {
      assertThat(v.get("served_after").asDouble()).isBetween(0.0, 1.0);
      assertThat(v.get("window_served").asDouble()).isBetween(0.0, 1.0);
      assertThat(v.get("estimated").isNumber()).as("a finite estimate").isTrue();
      assertThat(v.get("effective_answers").asDouble()).isPositive();
      if (!v.get("low").isNull()) {
        assertThat(v.get("estimated").asDouble()).isBetween(v.get("low").asDouble(), v.get("high").asDouble());
      }
    }
  }
}
