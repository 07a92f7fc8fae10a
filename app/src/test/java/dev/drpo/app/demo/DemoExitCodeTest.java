package dev.drpo.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a demo ends: a job that processed nothing is a failure, with its reason. */
class DemoExitCodeTest {
  @Test
  void shouldEndADemoWhoseJobProcessedNothingWithACodeAndItsReason() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8);

    int nothing = Demo.exitCode(Map.of("requests_answered", 0L, "policy_version", 0L, "restarts", 7L,
        "first_job_failure", "java.lang.IllegalStateException: the filter cannot start"), stream);
    int answered = Demo.exitCode(Map.of("requests_answered", 12L, "policy_version", 0L, "restarts", 3L), stream);
    int tooShortToServe = Demo.exitCode(Map.of("requests_answered", 0L, "policy_version", 0L, "restarts", 0L), stream);

    assertThat(nothing).isEqualTo(1);
    assertThat(answered).isZero();
    assertThat(tooShortToServe).as("offline only, nothing failed").isZero();
    assertThat(err.toString(StandardCharsets.UTF_8).lines()).singleElement().asString()
        .startsWith("drpo: the job processed nothing").contains("restarts: 7", "the filter cannot start");
  }
}
