package dev.drpo.job.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** docker-compose.yml as Compose reads it: the tests take the deployment's settings from it, not from copies. */
public final class ComposeFile {
  public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private ComposeFile() {}

  /** The whole file; SnakeYAML resolves the {@code <<:} merge keys (Jackson's YAML parser does not). */
  public static JsonNode read() throws Exception {
    Object yaml = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
    return new ObjectMapper().valueToTree(yaml);
  }

  public static JsonNode service(String name) throws Exception {
    return read().get("services").get(name);
  }

  /** A service's command as a list of arguments. */
  public static List<String> command(String service) throws Exception {
    List<String> command = new ArrayList<>();
    service(service).get("command").forEach(c -> command.add(c.asText()));
    return command;
  }

  /** A service's environment. */
  public static Map<String, String> environment(String service) throws Exception {
    Map<String, String> env = new LinkedHashMap<>();
    service(service).get("environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    return env;
  }

  /** Container path -> host path of a service's bind mounts (relative to the repository root). */
  public static Map<String, Path> mounts(String service) throws Exception {
    Map<String, Path> mounts = new LinkedHashMap<>();
    service(service).get("volumes").forEach(v -> {
      String[] parts = v.asText().split(":");
      if (parts[0].startsWith(".")) {
        mounts.put(parts[1], ROOT.resolve(parts[0]).normalize());
      }
    });
    return mounts;
  }
}
