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
   * @return per partition, the offset of the next record to read: after the last one handed over
   *     (records polled but not handed over when {@code each} stopped the read are not read)
   * @throws IllegalStateException if an offset of {@code from} is not within its partition's
   *     [log start, end] (the topic was truncated, or deleted and created again) or names a
   *     partition the topic does not have
   */
  public static Map<Integer, Long> readToEnd(KafkaConnection kafka, String topic, Map<Integer, Long> from, Duration timeout,
      Predicate<ConsumerRecord<byte[], byte[]>> each) {
    Properties strict = new Properties();
    strict.setProperty("auto.offset.reset", "none"); // never skip silently to another offset
    try (KafkaConsumer<byte[], byte[]> consumer = assigned(kafka, topic, false, strict, timeout)) {
      Set<TopicPartition> partitions = consumer.assignment();
      Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions, timeout);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      Map<Integer, Long> next = new HashMap<>();
      for (TopicPartition p : partitions) {
        long offset = from.getOrDefault(p.partition(), start.get(p));
        if (offset < start.get(p) || offset > end.get(p)) {
          throw new IllegalStateException("offset " + offset + " of topic '" + topic + "' partition " + p.partition()
              + " is outside the partition's [" + start.get(p) + ", " + end.get(p) + "]: the topic was truncated, or deleted and"
              + " created again");
        }
        consumer.seek(p, offset);
        next.put(p.partition(), offset);
      }
      if (!next.keySet().containsAll(from.keySet())) {
        throw new IllegalStateException("topic '" + topic + "' has partitions " + next.keySet() + ", not " + from.keySet());
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      while (partitions.stream().anyMatch(p -> next.get(p.partition()) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("timed out after " + timeout + " reading topic '" + topic + "' to its end");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (!each.test(r)) {
            next.put(r.partition(), r.offset() + 1);
            return next;
          }
          next.put(r.partition(), r.offset() + 1);
        }
        // transaction markers and compacted-away offsets advance the position without a record
        partitions.forEach(p -> next.merge(p.partition(), consumer.position(p), Math::max));
      }
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
