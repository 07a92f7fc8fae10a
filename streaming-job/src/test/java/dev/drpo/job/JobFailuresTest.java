package dev.drpo.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

class JobFailuresTest {
  static final int REST_PORT = 18_093;

  /** A stage that cannot start, as the hard filter could not on Java 25 (its sketches refused the JDK). */
  static final class FailsAtStart extends RichMapFunction<Long, Long> {
    @Override
    public void open(OpenContext context) {
      throw new IllegalStateException("the filter cannot start", new UnsupportedOperationException("Unsupported JDK Major Version"));
    }

    @Override
    public Long map(Long value) {
      return value;
    }
  }

  @Test
  void shouldPrintEachFailureOfAJobThatCannotStartOnceWithItsCause() throws Exception {
    Configuration flink = new Configuration();
    flink.set(RestOptions.PORT, REST_PORT);
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, Integer.MAX_VALUE);
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
    env.setParallelism(1);
    env.fromSequence(0, Long.MAX_VALUE).map(new FailsAtStart()).name("hard filter").sinkTo(new DiscardingSink<>());
    JobClient job = env.executeAsync("fails at start");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    JobFailures failures = new JobFailures(REST_PORT, job.getJobID(), new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (failures.failures() < 2 && System.nanoTime() < deadline) {
        failures.check();
        Thread.sleep(100);
      }
      int seen = failures.failures();
      failures.check(); // within the 2 s before the next restart: nothing new to print
      failures.check();
      assertThat(failures.failures()).as("a failure already printed is not printed again").isEqualTo(seen);
    } finally {
      job.cancel().get();
    }

    String console = printed.toString(StandardCharsets.UTF_8);
    assertThat(failures.failures()).isGreaterThanOrEqualTo(2);
    assertThat(console.lines().filter(l -> l.startsWith("job failure ")).count()).as("each failure once").isEqualTo(failures.failures());
    assertThat(console).contains("job failure 1 in Source: Sequence Source -> hard filter", "job failure 2 in ");
    assertThat(failures.firstCause()).contains("the filter cannot start").contains("Unsupported JDK Major Version");
  }
}
