package dev.drpo.app.deploy;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka broker process ({@code kafka.Kafka}, KRaft, broker and controller in one node) configured
 * as docker-compose.yml configures its {@code kafka} service: every {@code KAFKA_*} variable becomes
 * the property the apache/kafka image makes of it, with the host {@code kafka} and the ports replaced
 * by localhost and free ports. Its listener PLAINTEXT is compose's {@code kafka:9092}.
 */
final class KafkaBrokerProcess {
  private final Processes processes;
  private final List<Path> classpath;
  private final Path properties;
  private final int plaintextPort;
  private final int externalPort;
  private Process process;

  private KafkaBrokerProcess(Processes processes, List<Path> classpath, Path properties, int plaintextPort, int externalPort) {
    this.processes = processes;
    this.classpath = classpath;
    this.properties = properties;
    this.plaintextPort = plaintextPort;
    this.externalPort = externalPort;
  }

  /**
   * @param overrides broker properties replacing compose's (e.g. a SASL listener)
   * @param formatArgs further arguments of the storage format (e.g. {@code --add-scram})
   */
  static KafkaBrokerProcess start(Processes processes, Path dir, List<Path> classpath, Map<String, String> overrides,
      List<String> formatArgs) throws Exception {
    int plaintext = Processes.freePort();
    int controller = Processes.freePort();
    int external = Processes.freePort();
    Properties server = new Properties();
    for (Map.Entry<String, String> e : ComposeFile.environment("kafka").entrySet()) {
      if (e.getKey().startsWith("KAFKA_")) {
        String value = e.getValue().replace("kafka:", "localhost:")
            .replace(":9092", ":" + plaintext).replace(":9093", ":" + controller).replace(":29092", ":" + external);
        server.setProperty(e.getKey().substring(6).toLowerCase(Locale.ROOT).replace('_', '.'), value);
      }
    }
    server.setProperty("log.dirs", dir.resolve("data").toString());
    server.putAll(overrides);
    Path file = Files.createDirectories(dir).resolve("server.properties");
    try (Writer w = Files.newBufferedWriter(file)) {
      server.store(w, "from docker-compose.yml's kafka service");
    }
    List<String> format = new ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(), "-c", file.toString()));
    format.addAll(formatArgs);
    int formatted = processes.run("kafka-storage", classpath, List.of("-Xmx256m"), "kafka.tools.StorageTool", format,
        Map.of(), Duration.ofSeconds(60));
    if (formatted != 0) {
      throw new IllegalStateException("kafka-storage format failed: " + processes.output("kafka-storage"));
    }
    KafkaBrokerProcess broker = new KafkaBrokerProcess(processes, classpath, file, plaintext, external);
    broker.run();
    return broker;
  }

  private void run() throws Exception {
    process = processes.start("kafka", classpath, List.of("-Xmx768m"), "kafka.Kafka", List.of(properties.toString()), Map.of());
    awaitReady(Duration.ofSeconds(90));
  }

  /** kill -9 of the broker process. */
  void kill() {
    Processes.kill(process);
  }

  /** The broker again, on the same ports and data directory (after {@link #kill}); returns once it answers. */
  void restart() throws Exception {
    run();
  }

  /** compose's {@code kafka:9092}. */
  String bootstrapServers() {
    return "localhost:" + plaintextPort;
  }

  /** compose's EXTERNAL listener. */
  String externalBootstrapServers() {
    return "localhost:" + externalPort;
  }

  private Admin admin() {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", bootstrapServers());
    p.setProperty("default.api.timeout.ms", "5000");
    p.setProperty("request.timeout.ms", "5000");
    return Admin.create(p);
  }

  private void awaitReady(Duration timeout) throws Exception {
    Await.until(() -> {
      try (Admin admin = admin()) {
        admin.describeCluster().nodes().get();
        return true;
      } catch (ExecutionException notYet) {
        return false;
      }
    }, timeout, "the Kafka broker process at " + bootstrapServers());
  }

  /** The topics compose's {@code topics} service creates. */
  void createComposeTopics() throws Exception {
    List<NewTopic> all = new ArrayList<>();
    for (ComposeFile.Topic t : ComposeFile.topics()) {
      NewTopic topic = new NewTopic(t.name(), t.partitions(), (short) 1);
      all.add(t.compacted() ? topic.configs(Map.of("cleanup.policy", "compact")) : topic);
    }
    try (Admin admin = admin()) {
      admin.createTopics(all).all().get();
    }
  }
}
