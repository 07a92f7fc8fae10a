package dev.drpo.job.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drpo.job.JobConfig;
import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.operators.catalog.CatalogLoader;
import dev.drpo.operators.catalog.CatalogUpdate;
import dev.drpo.operators.catalog.ItemRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compacted {@code items} topic: key itemId, value {@code {"itemId":"...","embedding":[...]}},
 * a null value (tombstone) deletes the item. Every instance that scores or encodes loads it to its
 * end when it opens ({@link Loader}); the job follows its later records as catalog updates.
 */
public final class ItemsTopic {
  private static final Logger LOG = LoggerFactory.getLogger(ItemsTopic.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private ItemsTopic() {}

  /**
   * The items topic read to its end into a catalog: the live items, and per partition the offset
   * after the last record read. Records that are not valid items are skipped and counted in the log
   * (the job's items source dead-letters them).
   */
  public record Loader(KafkaConnection kafka, String topic, Duration timeout, int dimension) implements CatalogLoader {
    @Override
    public String source() {
      return "kafka " + kafka.bootstrapServers() + " topic " + topic;
    }

    @Override
    public Map<Integer, Long> loadInto(ItemCatalog catalog, Map<Integer, Long> from) {
      long started = System.nanoTime();
      long bad = 0;
      long records = 0;
      Map<Integer, Long> next = new HashMap<>();
      try (KafkaConsumer<byte[], byte[]> consumer = CommittedRecords.assigned(kafka, topic, false, new Properties(), timeout)) {
        Set<TopicPartition> partitions = consumer.assignment();
        for (TopicPartition p : partitions) {
          if (from.containsKey(p.partition())) {
            consumer.seek(p, from.get(p.partition()));
          }
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("timed out after " + timeout + " reading the items topic '" + topic + "' to its end");
          }
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            records++;
            try {
              CatalogUpdate.decode(new ItemRecord(r.key(), r.value(), r.partition(), r.offset()), dimension).applyTo(catalog);
            } catch (IllegalArgumentException e) {
              bad++;
            }
          }
        }
        partitions.forEach(p -> next.put(p.partition(), consumer.position(p)));
      }
      LOG.info("loaded {} items from {} records of topic '{}' in {} ms ({} not items, skipped)", catalog.size(), records, topic,
          (System.nanoTime() - started) / 1_000_000, bad);
      return next;
    }
  }

  /** The loader of the job's items topic ({@code kafka.topics.items}, {@code catalog.load-timeout}). */
  public static Loader loader(JobConfig job) {
    KafkaConnection kafka = job.kafka().connection();
    String topic = job.kafka().topics().items();
    // the instances load on the TaskManagers, where the job's environment variables may not be set
    return new Loader(kafka.resolved(), topic, job.catalogLoadTimeout(), dimension(kafka, topic, job.kafka().connectTimeout()));
  }

  /** The embedding length of the topic's first item; fails clearly when the topic holds none. */
  public static int dimension(KafkaConnection kafka, String topic, Duration timeout) {
    try (KafkaConsumer<byte[], byte[]> consumer = CommittedRecords.assigned(kafka, topic, false, new Properties(), timeout)) {
      Set<TopicPartition> partitions = consumer.assignment();
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            try {
              return JSON.readTree(r.value()).get("embedding").size();
            } catch (Exception e) {
              // not an item: the next record may be
            }
          }
        }
      }
    }
    throw new IllegalArgumentException("the items topic '" + topic + "' holds no items: write the catalog to it first"
        + " (drpo users --catalog-only), or set catalog.file");
  }

  /** Every live item of the topic (tests and tools; the job loads with {@link Loader}). */
  public static ItemCatalog read(KafkaConnection kafka, String topic, Duration timeout) {
    int dimension = dimension(kafka, topic, timeout);
    ItemCatalog catalog = new ItemCatalog(dimension, ItemCatalog.Retrieval.EXACT);
    new Loader(kafka, topic, timeout, dimension).loadInto(catalog, Map.of());
    return catalog;
  }

  /** Writes a catalog to the topic (the demo and tests use this; a catalog service would too). */
  public static void write(KafkaConnection kafka, String topic, CatalogItems items) {
    try (CheckedProducer producer = CheckedProducer.to(kafka)) {
      for (int i = 0; i < items.size(); i++) {
        producer.send(topic, key(items.ids()[i]), value(items.ids()[i], items.embeddings()[i]));
      }
    }
  }

  /** Upserts ({@code embedding} non-null) or deletes one item. */
  public static void send(CheckedProducer producer, String topic, String itemId, float[] embedding) {
    producer.send(topic, key(itemId), embedding == null ? null : value(itemId, embedding));
  }

  private static byte[] key(String itemId) {
    return itemId.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] value(String itemId, float[] embedding) {
    ObjectNode value = JSON.createObjectNode().put("itemId", itemId);
    var array = value.putArray("embedding");
    for (float f : embedding) {
      array.add(f);
    }
    return value.toString().getBytes(StandardCharsets.UTF_8);
  }
}
