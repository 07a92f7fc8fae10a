package dev.drpo.job.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Every committed record of a topic, read from the beginning to its current end (no consumer group). */
public final class CommittedRecords {
  private CommittedRecords() {}

  public static List<ConsumerRecord<byte[], byte[]>> read(KafkaConnection kafka, String topic, Duration timeout) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    readToEnd(kafka, topic, Map.of(), timeout, records::add);
    return records;
  }

  /**
   * Reads the topic's committed records from {@code from} (per partition; absent: its beginning) to
   * the end offsets it had when the read began, handing each to {@code each} until it returns false.
   *
   * @return per partition, the offset of the next record to read
   */
  public static Map<Integer, Long> readToEnd(KafkaConnection kafka, String topic, Map<Integer, Long> from, Duration timeout,
      Predicate<ConsumerRecord<byte[], byte[]>> each) {
    try (KafkaConsumer<byte[], byte[]> consumer = assigned(kafka, topic, false, new Properties(), timeout)) {
      Set<TopicPartition> partitions = consumer.assignment();
      for (TopicPartition p : partitions) {
        if (from.containsKey(p.partition())) {
          consumer.seek(p, from.get(p.partition()));
        }
      }
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      reading:
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("timed out after " + timeout + " reading topic '" + topic + "' to its end");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (!each.test(r)) {
            break reading;
          }
        }
      }
      Map<Integer, Long> next = new HashMap<>();
      partitions.forEach(p -> next.put(p.partition(), consumer.position(p)));
      return next;
    }
  }

  /**
   * A read_committed consumer without a group, assigned every partition of a topic and positioned
   * at its beginning or its end.
   *
   * @param more further consumer properties
   */
  public static KafkaConsumer<byte[], byte[]> assigned(KafkaConnection kafka, String topic, boolean atEnd, Properties more,
      Duration timeout) {
    Properties props = kafka.clientProperties();
    props.setProperty("isolation.level", "read_committed");
    props.setProperty("enable.auto.commit", "false");
    props.putAll(more);
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    var infos = consumer.partitionsFor(topic, timeout);
    if (infos == null || infos.isEmpty()) {
      consumer.close();
      throw new IllegalArgumentException("topic '" + topic + "' does not exist at " + kafka.bootstrapServers());
    }
    List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    if (atEnd) {
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
    } else {
      consumer.seekToBeginning(partitions);
    }
    return consumer;
  }
}
