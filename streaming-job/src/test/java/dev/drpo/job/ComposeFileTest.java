package dev.drpo.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.drpo.job.deploy.ComposeFile;
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
  static final Path ROOT = ComposeFile.ROOT;

  static JsonNode compose() throws Exception {
    return ComposeFile.read();
  }

  @Test
  void isValidAgainstTheComposeSpecification() throws Exception {
    var schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V201909)
        .getSchema(ComposeFileTest.class.getResourceAsStream("/compose-spec/compose-spec.json"));

    assertThat(schema.validate(compose())).isEmpty();
  }

  @Test
  void submitsTheJobWithAConfigTheJobAccepts() throws Exception {
    JsonNode job = compose().get("services").get("job");
    List<String> command = new ArrayList<>();
    job.get("command").forEach(c -> command.add(c.asText()));
    Map<String, String> mounts = new LinkedHashMap<>();
    job.get("volumes").forEach(v -> mounts.put(v.asText().split(":")[1], v.asText().split(":")[0]));
    Path config = ROOT.resolve(mounts.get(command.get(command.indexOf("--config") + 1)));
    Map<String, String> settings = new LinkedHashMap<>();
    for (int i = 0; i < command.size(); i++) {
      if (command.get(i).equals("--set")) {
        String[] kv = command.get(i + 1).split("=", 2);
        settings.put(kv[0], kv[1]);
      }
    }

    JobConfig accepted = JobConfig.load(config, settings);

    assertThat(command).contains("dev.drpo.job.cli.RunCommand");
    assertThat(accepted.kafka().bootstrapServers()).isEqualTo("kafka:9092");
    assertThat(accepted.userFeatureDim()).as("the simulator's users have 128 features").isEqualTo(128);
  }

  @Test
  void createsEveryTopicTheJobUses() throws Exception {
    String script = compose().get("services").get("topics").get("command").get(0).asText();
    List<List<String>> loops = script.lines().filter(l -> l.startsWith("for t in "))
        .map(l -> List.of(l.substring("for t in ".length(), l.indexOf(';')).split(" "))).toList();
    JobConfig defaults = JobConfig.defaults();

    assertThat(loops.get(0)).containsExactlyInAnyOrder(defaults.kafka().topics().interactions(), defaults.kafka().topics().recRequests(),
        defaults.kafka().topics().recommendations(), defaults.kafka().topics().deadLetters());
    assertThat(loops.get(1)).as("compacted").containsExactlyInAnyOrder(defaults.kafka().topics().policyVersions(), defaults.kafka().topics().items());
    assertThat(script).contains("cleanup.policy=compact");
  }
}
