package dev.drpo.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command `./drpo run` prints when it stops with a savepoint: it must resume the same job. */
class ResumeCommandTest {

  @Test
  void shouldKeepTheSettingsFileEverySetAndTheUiPort() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("trainer.batch-size", "64");
    settings.put("job.name", "drpo blue");
    String command = RunCommand.resumeCommand(Path.of("my-job.yaml"), settings, 18081, "file:///tmp/sp/savepoint-1");

    assertThat(command).isEqualTo("./drpo run --config my-job.yaml --set trainer.batch-size=64 --set 'job.name=drpo blue'"
        + " --ui-port 18081 --from-savepoint file:///tmp/sp/savepoint-1");
  }

  @Test
  void shouldNeverPrintAKafkaPropertyThatMayHoldASecret() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("kafka.properties.sasl.jaas.config", "ScramLoginModule required username=\"drpo\" password=\"hunter2\";");
    settings.put("kafka.properties.ssl.truststore.password", "${env:TRUSTSTORE_PASSWORD}");
    String command = RunCommand.resumeCommand(null, settings, RunCommand.DEFAULT_UI_PORT, "/tmp/sp/1");

    assertThat(command).doesNotContain("hunter2").contains("--set 'kafka.properties.sasl.jaas.config=<as before>'")
        .contains("--set 'kafka.properties.ssl.truststore.password=${env:TRUSTSTORE_PASSWORD}'")
        .doesNotContain("--ui-port").endsWith("--from-savepoint /tmp/sp/1");
  }
}
