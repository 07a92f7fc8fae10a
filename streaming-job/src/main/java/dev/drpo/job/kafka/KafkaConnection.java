package dev.drpo.job.kafka;

import java.io.Serializable;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How every client of the job reaches Kafka: the bootstrap servers and the client properties of
 * {@code kafka.properties.*} (security.protocol, sasl.*, ssl.*, ...), in the convention of Flink's
 * Kafka connector. A value may name environment variables, {@code ${env:KAFKA_PASSWORD}}: they are
 * resolved only when a client is configured ({@link #clientProperties()}), so a secret never sits in
 * the settings, and {@link #toString()} shows property names only. Properties the job owns are
 * refused, each with the setting or behaviour that owns it.
 */
public final class KafkaConnection implements Serializable {
  public static final String PREFIX = "kafka.properties.";
  private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Map<String, String> OWNED = Map.ofEntries(
      Map.entry("bootstrap.servers", "kafka.bootstrap-servers"),
      Map.entry("group.id", "kafka.group-id"),
      Map.entry("auto.offset.reset", "kafka.starting-offsets"),
      Map.entry("isolation.level", "the job: its sources read committed records only"),
      Map.entry("enable.auto.commit", "the job: offsets are committed with checkpoints"),
      Map.entry("transactional.id", "kafka.transactional-id-prefix"),
      Map.entry("transaction.timeout.ms", "kafka.transaction-timeout"),
      Map.entry("enable.idempotence", "kafka.delivery.*"),
      Map.entry("max.request.size", "kafka.max-message-bytes"),
      Map.entry("key.serializer", "the job's record formats"),
      Map.entry("value.serializer", "the job's record formats"),
      Map.entry("key.deserializer", "the job's record formats"),
      Map.entry("value.deserializer", "the job's record formats"));

  private final String bootstrapServers;
  /** Property name -> value as configured, environment references unresolved. */
  private final TreeMap<String, String> properties;
  /** The values are resolved already (nothing in them names a variable any more). */
  private final boolean resolved;
  private final transient UnaryOperator<String> environment;

  private KafkaConnection(String bootstrapServers, Map<String, String> properties, boolean resolved,
      UnaryOperator<String> environment) {
    this.bootstrapServers = bootstrapServers;
    this.properties = new TreeMap<>(properties);
    this.resolved = resolved;
    this.environment = environment;
  }

  /** No client properties: a plaintext cluster without authentication. */
  public static KafkaConnection plain(String bootstrapServers) {
    return new KafkaConnection(bootstrapServers, Map.of(), false, System::getenv);
  }

  /**
   * @param properties client property name (without {@value #PREFIX}) -> value
   * @throws IllegalArgumentException naming the setting, for an owned property or an environment
   *     variable that is not set (its value is never part of the message)
   */
  public static KafkaConnection of(String bootstrapServers, Map<String, String> properties) {
    return of(bootstrapServers, properties, System::getenv);
  }

  static KafkaConnection of(String bootstrapServers, Map<String, String> properties, UnaryOperator<String> environment) {
    for (String name : properties.keySet()) {
      String owner = OWNED.get(name);
      if (owner != null) {
        throw new IllegalArgumentException(PREFIX + name + ": set by " + owner + ", not as a client property");
      }
    }
    KafkaConnection connection = new KafkaConnection(bootstrapServers, properties, false, environment);
    connection.clientProperties();
    return connection;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * The properties a client is configured with: bootstrap.servers and every client property, its
   * environment references resolved. Holds secrets: never print it.
   */
  public Properties clientProperties() {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", bootstrapServers);
    UnaryOperator<String> env = environment != null ? environment : System::getenv;
    for (Map.Entry<String, String> e : properties.entrySet()) {
      if (resolved) {
        p.setProperty(e.getKey(), e.getValue());
        continue;
      }
      Matcher m = ENV.matcher(e.getValue());
      StringBuilder resolved = new StringBuilder();
      while (m.find()) {
        String value = env.apply(m.group(1));
        if (value == null) {
          throw new IllegalArgumentException(PREFIX + e.getKey() + ": environment variable " + m.group(1) + " is not set");
        }
        m.appendReplacement(resolved, Matcher.quoteReplacement(value));
      }
      m.appendTail(resolved);
      p.setProperty(e.getKey(), resolved.toString());
    }
    return p;
  }

  /**
   * This connection with its environment references resolved here, for a client that runs where
   * the variables are not set (a TaskManager): the secrets then travel with it, as they do in the
   * job's Kafka sources and sinks (Flink's connector resolves nothing on the TaskManagers).
   */
  public KafkaConnection resolved() {
    Map<String, String> values = new TreeMap<>();
    clientProperties().forEach((key, value) -> values.put((String) key, (String) value));
    values.remove("bootstrap.servers");
    return new KafkaConnection(bootstrapServers, values, true, null);
  }

  /** The servers and the names of the client properties; never a value. */
  @Override
  public String toString() {
    return properties.isEmpty() ? bootstrapServers : bootstrapServers + " with " + properties.keySet();
  }
}
