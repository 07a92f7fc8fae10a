package dev.drpo.app;

import dev.drpo.app.demo.Demo;
import dev.drpo.app.demo.SimulatedUsers;
import dev.drpo.embedded.EmbeddedKafka;
import dev.drpo.job.JobConfig;
import dev.drpo.job.kafka.CheckedProducer;
import dev.drpo.job.kafka.CommittedRecords;
import dev.drpo.job.kafka.ItemsTopic;
import dev.drpo.job.kafka.KafkaConnection;
import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.simulator.LoggingMix;
import dev.drpo.simulator.SimulatorConfig;
import dev.drpo.simulator.UserPopulation;
import dev.drpo.simulator.World;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The closed loop of the end-to-end tests, small: a real broker in this JVM with the job's topics,
 * a small simulated world whose catalog is on the items topic, and the job's settings for it.
 */
final class Loop implements AutoCloseable {
  static final long HOUR = 3_600_000L;
  static final SimulatorConfig WORLD = SimulatorConfig.defaults().withDimension(16).withSize(400, 300, 50, 1_000);

  final EmbeddedKafka kafka;
  /** A client connection to {@link #kafka}. */
  final KafkaConnection connection;
  final World world = new World(WORLD, 3);
  final JobConfig config;
  final ItemsTopic.Loader catalog;

  Loop(Path dir, Map<String, String> overrides) throws Exception {
    kafka = EmbeddedKafka.start(0, dir.resolve("kafka"));
    connection = KafkaConnection.plain(kafka.bootstrapServers());
    config = Demo.simulatorSettings()
        .with(Demo.localSettings(kafka.bootstrapServers(), dir))
        .with(Map.of(
            "events.user-feature-dim", Integer.toString(WORLD.stateDim()),
            "job.parallelism", "2",
            "filter.bucket-samples", "300",
            "filter.buckets", "10",
            "filter.tick-samples", "64",
            "trainer.batch-size", "64",
            "trainer.steps-per-batch", "8",
            "trainer.publish-every-steps", "3",
            "trainer.learning-rate", "1.0e-3"))
        .with(overrides);
    Demo.createTopics(kafka, config, true);
    ItemsTopic.write(connection, config.kafka().topics().items(), CatalogItems.of(world.catalog()));
    catalog = ItemsTopic.loader(config);
  }

  UserPopulation population(long startMs, double malformedShare) {
    return new UserPopulation(world, UserPopulation.Config.defaults().withMalformedShare(malformedShare), startMs, 5);
  }

  SimulatedUsers users(UserPopulation population, double loggingShare) {
    return new SimulatedUsers(world, population, LoggingMix.MEDIUM, loggingShare, 5,
        config.scorer().excludeRecent(), connection,
        SimulatedUsers.Topics.of(config.kafka().topics()), 9);
  }

  /** Every committed record of a topic, read to its current end. */
  List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    return CommittedRecords.read(connection, topic, Duration.ofSeconds(30));
  }

  /** Waits until the topic holds {@code count} committed records (the job is asynchronous), or the timeout. */
  void awaitRecords(String topic, long count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (readAll(topic).size() < count && System.nanoTime() < deadline) {
      Thread.sleep(500);
    }
  }

  void send(String topic, byte[]... values) {
    try (CheckedProducer producer = CheckedProducer.to(connection)) {
      for (byte[] v : values) {
        producer.send(topic, v);
      }
    }
  }

  @Override
  public void close() throws Exception {
    kafka.close();
  }
}
