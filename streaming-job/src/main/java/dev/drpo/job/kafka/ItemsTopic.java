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
import java.util.Map;
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
      long[] records = new long[2]; // read, not items
      Map<Integer, Long> next = CommittedRecords.readToEnd(kafka, topic, from, timeout, r -> {
        records[0]++;
        try {
          CatalogUpdate.decode(new ItemRecord(r.key(), r.value(), r.partition(), r.offset()), dimension).applyTo(catalog);
        } catch (IllegalArgumentException e) {
          records[1]++;
        }
        return true;
      });
      LOG.info("loaded {} items from {} records of topic '{}' in {} ms ({} not items, skipped)", catalog.size(), records[0], topic,
          (System.nanoTime() - started) / 1_000_000, records[1]);
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
    int[] dimension = {0};
    CommittedRecords.readToEnd(kafka, topic, Map.of(), timeout, r -> {
      try {
        dimension[0] = r.value() == null ? 0 : JSON.readTree(r.value()).get("embedding").size();
      } catch (Exception e) {
        // not an item: the next record may be
      }
      return dimension[0] == 0;
    });
    if (dimension[0] == 0) {
      throw new IllegalArgumentException("the items topic '" + topic + "' holds no items: write the catalog to it first"
          + " (drpo users --catalog-only), or set catalog.file");
    }
    return dimension[0];
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
