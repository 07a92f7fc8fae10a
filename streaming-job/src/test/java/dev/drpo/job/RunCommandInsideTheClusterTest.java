package dev.drpo.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The entry point as a JobManager runs it in application mode, where exiting the JVM would end the JobManager. */
class RunCommandInsideTheClusterTest {

  /** Gives {@code main} the environment a JobManager gives it: execution target "embedded". */
  static final class JobManagerContext extends StreamExecutionEnvironment {
    static void install() {
      initializeContextEnvironment(configuration -> {
        Configuration embedded = new Configuration(configuration);
        embedded.set(DeploymentOptions.TARGET, "embedded");
        return new StreamExecutionEnvironment(embedded);
      });
    }

    static void remove() {
      resetContextEnvironment();
    }
  }

  @BeforeEach
  void insideAJobManager() {
    JobManagerContext.install();
  }

  @AfterEach
  void backOnTheCommandLine() {
    JobManagerContext.remove();
  }

  @Test
  void shouldRetryAKafkaThatDoesNotAnswerAndThenFailWithoutExitingTheJobManager() {
    assertThat(RunCommand.insideTheCluster(StreamExecutionEnvironment.getExecutionEnvironment())).isTrue();
    long started = System.nanoTime();

    // port 1: nothing listens; 10 x the 1 s timeout to wait at most
    assertThatThrownBy(() -> RunCommand.main(new String[] {"--set", "kafka.bootstrap-servers=localhost:1",
        "--set", "kafka.connect-timeout=1s"}))
        .hasStackTraceContaining("Kafka was not ready for the job after")
        .hasStackTraceContaining("checks in 10 s (10 x kafka.connect-timeout)");

    double seconds = (System.nanoTime() - started) / 1e9;
    assertThat(seconds).as("it waited, retrying, before giving up").isBetween(5.0, 30.0);
  }

  @Test
  void shouldFailAtOnceOnWhatCannotPassByItself() {
    long started = System.nanoTime();

    assertThatThrownBy(() -> RunCommand.main(new String[] {"--set", "trainer.batch-size=0"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trainer.batch-size");

    assertThat((System.nanoTime() - started) / 1e9).as("no retries").isLessThan(3.0);
  }

  @Test
  void shouldPrintItsHelpAndStartNothing() throws Exception {
    java.io.PrintStream out = System.out;
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      RunCommand.main(new String[] {"--help", "--set", "kafka.bootstrap-servers=localhost:1"});
    } finally {
      System.setOut(out);
    }
    assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("--from-savepoint");
  }
}
