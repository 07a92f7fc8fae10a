package dev.drpo.app.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  /** A topic the {@code topics} service creates. */
  public record Topic(String name, int partitions, boolean compacted) {}

  /** The topics of the {@code topics} service's script: each {@code for t in ...} loop with its partitions and cleanup policy. */
  public static List<Topic> topics() throws Exception {
    String script = service("topics").get("command").get(0).asText();
    Matcher loop = Pattern.compile("for t in ([^;]+); do\\s*\\n\\s*(.*)").matcher(script);
    List<Topic> topics = new ArrayList<>();
    while (loop.find()) {
      Matcher partitions = Pattern.compile("--partitions (\\d+)").matcher(loop.group(2));
      if (!partitions.find()) {
        throw new IllegalStateException("no --partitions in compose's topics command: " + loop.group(2));
      }
      for (String name : loop.group(1).trim().split("\\s+")) {
        topics.add(new Topic(name, Integer.parseInt(partitions.group(1)), loop.group(2).contains("cleanup.policy=compact")));
      }
    }
    if (topics.isEmpty()) {
      throw new IllegalStateException("compose's topics command creates no topics: " + script);
    }
    return topics;
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
