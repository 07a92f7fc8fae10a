package dev.drpo.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.drpo.app.deploy.ComposeFile;
import dev.drpo.job.JobConfig;
import dev.drpo.job.RunCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml cannot be started here (no Docker engine), so it is checked as far as can be
 * without one: it is valid against the Compose Specification's schema, the job it submits has a
 * config the job accepts, and every topic the job uses is created.
 */
class ComposeFileTest {
  @Test
  void isValidAgainstTheComposeSpecification() throws Exception {
    var schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V201909)
        .getSchema(ComposeFileTest.class.getResourceAsStream("/compose-spec/compose-spec.json"));

    assertThat(schema.validate(ComposeFile.read())).isEmpty();
  }

  @Test
  void submitsTheJobWithAConfigTheJobAccepts() throws Exception {
    List<String> command = ComposeFile.command("job");
    Path config = ComposeFile.mounts("job").get(command.get(command.indexOf("--config") + 1));
    Map<String, String> settings = new LinkedHashMap<>();
    for (int i = 0; i < command.size(); i++) {
      if (command.get(i).equals("--set")) {
        String[] kv = command.get(i + 1).split("=", 2);
        settings.put(kv[0], kv[1]);
      }
    }

    JobConfig accepted = JobConfig.load(config, settings);

    assertThat(command).contains(RunCommand.class.getName());
    assertThat(accepted.kafka().bootstrapServers()).isEqualTo("kafka:9092");
    assertThat(accepted.userFeatureDim()).as("the simulator's users have 128 features").isEqualTo(128);
  }

  @Test
  void letsTheJobClientReadTheCheckpointsItResumesFrom() throws Exception {
    List<String> command = ComposeFile.command("job");
    List<String> jobVolumes = volumes("job");
    for (String setting : List.of("checkpoints.directory=", "checkpoints.savepoint-directory=")) {
      String directory = command.stream().filter(a -> a.startsWith(setting)).findFirst().orElseThrow()
          .substring(setting.length() + "file://".length());
      // the named volume the JobManager and TaskManagers write, mounted where the setting points
      String written = volumes("jobmanager").stream().filter(v -> directory.startsWith(v.split(":")[1] + "/")).findFirst()
          .orElseThrow(() -> new AssertionError("the JobManager does not write " + directory));
      assertThat(jobVolumes).as("--from-latest-checkpoint lists %s in the job's client", directory)
          .anyMatch(v -> v.startsWith(written + ":") || v.equals(written));
    }
  }

  private static List<String> volumes(String service) throws Exception {
    List<String> volumes = new ArrayList<>();
    ComposeFile.service(service).get("volumes").forEach(v -> volumes.add(v.asText()));
    return volumes;
  }

  @Test
  void createsEveryTopicTheJobUses() throws Exception {
    JobConfig defaults = JobConfig.defaults();

    assertThat(ComposeFile.topics()).filteredOn(t -> !t.compacted()).extracting(ComposeFile.Topic::name).containsExactlyInAnyOrder(
        defaults.kafka().topics().interactions(), defaults.kafka().topics().recRequests(), defaults.kafka().topics().recommendations(),
        defaults.kafka().topics().deadLetters());
    assertThat(ComposeFile.topics()).filteredOn(ComposeFile.Topic::compacted).extracting(ComposeFile.Topic::name)
        .containsExactlyInAnyOrder(defaults.kafka().topics().policyVersions(), defaults.kafka().topics().items());
  }
}
