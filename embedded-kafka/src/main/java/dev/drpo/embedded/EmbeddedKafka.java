package dev.drpo.embedded;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) inside this JVM, from
 * Kafka's own test kit: what {@code drpo demo} and the end-to-end tests run against. Replication
 * settings are those a single broker needs for transactions (factor 1, min ISR 1).
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final KafkaClusterTestKit cluster;
  private final BootstrapPort bootstrapPort;

  private EmbeddedKafka(KafkaClusterTestKit cluster, BootstrapPort bootstrapPort) {
    this.cluster = cluster;
    this.bootstrapPort = bootstrapPort;
  }

  /**
   * @param port a fixed localhost port to bootstrap through (0: only the broker's own, which the
   *     test kit picks)
   * @param directory where the log lives (deleted on close)
   */
  public static EmbeddedKafka start(int port, Path directory) throws Exception {
    return start(port, directory, Map.of());
  }

  /** The same, with more broker settings (e.g. an authorizer, for tests of a cluster with ACLs). */
  public static EmbeddedKafka start(int port, Path directory, Map<String, String> settings) throws Exception {
    TestKitNodes.Builder nodes = new TestKitNodes.Builder()
        .setCombined(true)
        .setNumBrokerNodes(1)
        .setNumControllerNodes(1)
        .setBaseDirectory(directory);
    KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes.build());
    settings.forEach(builder::setConfigProp);
    KafkaClusterTestKit cluster = builder
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setConfigProp("log.flush.interval.messages", Long.toString(Long.MAX_VALUE))
        .setDeleteOnClose(true)
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    String own = cluster.bootstrapServers();
    int brokerPort = Integer.parseInt(own.substring(own.lastIndexOf(':') + 1).split(",")[0]);
    return new EmbeddedKafka(cluster, port > 0 ? new BootstrapPort(port, brokerPort) : null);
  }

  /** localhost:PORT when a port was fixed, else the broker's own address; plaintext, no credentials. */
  public String bootstrapServers() {
    return bootstrapPort != null ? "localhost:" + bootstrapPort.port() : cluster.bootstrapServers();
  }

  /** Creates topics with the given partitions; {@code compacted} ones keep the latest record per key. */
  public void createTopics(int partitions, List<String> topics, List<String> compacted) throws Exception {
    List<NewTopic> all = new ArrayList<>();
    topics.forEach(t -> all.add(new NewTopic(t, partitions, (short) 1)));
    compacted.forEach(t -> all.add(compacted(t)));
    create(all);
  }

  /** Creates the topics as they are given. */
  public void createTopics(List<NewTopic> topics) throws Exception {
    create(topics);
  }

  /** A topic of one partition that keeps the latest record per key. */
  public static NewTopic compacted(String topic) {
    return new NewTopic(topic, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"));
  }

  private void create(List<NewTopic> topics) throws Exception {
    Properties props = new Properties();
    props.setProperty("bootstrap.servers", bootstrapServers());
    try (Admin admin = Admin.create(props)) {
      admin.createTopics(topics).all().get();
    }
  }

  @Override
  public void close() throws Exception {
    if (bootstrapPort != null) {
      bootstrapPort.close();
    }
    cluster.close();
  }
}
