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
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
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
   * after the last record read. A record that is not a valid item deletes the item it names and is
   * counted in the log (the job's items source dead-letters it): {@link CatalogUpdate#of}.
   */
  public record Loader(KafkaConnection kafka, String topic, Duration timeout, int dimension) implements CatalogLoader {
    @Override
    public String source() {
      return "kafka " + kafka.bootstrapServers() + " topic " + topic;
    }

    /**
     * The source, the topic's id, its {@code delete.retention.ms} as how long a kept index is
     * trusted, and its cleanup policy; empty (nothing is kept: the index is built in a temporary
     * directory at every load) when the principal may not describe the topic's configuration
     * (DescribeConfigs on the topic, which a cluster with ACLs may not grant), logged.
     */
    @Override
    public Map<String, String> identity() throws Exception {
      Properties props = kafka.clientProperties();
      props.setProperty("default.api.timeout.ms", String.valueOf(timeout.toMillis()));
      try (Admin admin = Admin.create(props)) {
        Uuid id = admin.describeTopics(List.of(topic)).topicNameValues().get(topic).get().topicId();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config;
        try {
          config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof AuthorizationException)) {
            throw e;
          }
          LOG.warn("not allowed to describe the configuration of topic '{}' ({}): the catalog's index is built at every load"
              + " and not kept; grant DescribeConfigs on the topic to keep it across restarts", topic, e.getCause().getMessage());
          return Map.of();
        }
        return Map.of("source", source(), "topic-id", id.toString(), TRUST_MS, config.get("delete.retention.ms").value(),
            CLEANUP_POLICY, config.get("cleanup.policy").value());
      }
    }

    /** Per partition, the offset after the last committed record (read_committed, as the loads read). */
    @Override
    public Map<Integer, Long> endOffsets() throws Exception {
      Properties props = kafka.clientProperties();
      props.setProperty("default.api.timeout.ms", String.valueOf(timeout.toMillis()));
      props.setProperty("request.timeout.ms", String.valueOf(timeout.toMillis()));
      try (Admin admin = Admin.create(props)) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicPartitionInfo p : admin.describeTopics(List.of(topic)).topicNameValues().get(topic).get().partitions()) {
          latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
        }
        Map<Integer, Long> ends = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
            .forEach((partition, info) -> ends.put(partition.partition(), info.offset()));
        return Map.copyOf(ends);
      }
    }

    @Override
    public Map<Integer, Long> loadInto(ItemCatalog catalog, Map<Integer, Long> from) {
      long started = System.nanoTime();
      long[] records = new long[2]; // read, not items
      Map<Integer, Long> next = CommittedRecords.readToEnd(kafka, topic, from, timeout, r -> {
        records[0]++;
        CatalogUpdate update = CatalogUpdate.of(new ItemRecord(r.key(), r.value(), r.partition(), r.offset()), dimension,
            e -> records[1]++);
        if (update != null) {
          update.applyTo(catalog);
        }
        return true;
      });
      LOG.info("loaded {} items from {} records of topic '{}' in {} ms ({} not items: their ids deleted)", catalog.size(), records[0], topic,
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

  /** Items written and confirmed at a time: a failed chunk is written again. */
  static final int CHUNK = 10_000;
  static final int ATTEMPTS = 3;

  /**
   * Writes a catalog to the topic and returns once the broker has confirmed every item (the demo,
   * the benchmarks and tests use this; a catalog service would too). Items go out in chunks of
   * {@link #CHUNK}, each confirmed before the next; a chunk with a failed send (a broker too busy to
   * answer within the producer's delivery timeout, or one that lost the producer's sequence) is
   * written again by a new producer, up to {@link #ATTEMPTS} times, then the write fails naming the
   * chunk. Writing an item twice changes nothing: the topic is compacted by item id, and a chunk is
   * rewritten whole, after the records it repeats.
   */
  public static void write(KafkaConnection kafka, String topic, CatalogItems items) {
    CheckedProducer producer = CheckedProducer.to(kafka);
    try {
      for (int from = 0; from < items.size(); from += CHUNK) {
        int to = Math.min(items.size(), from + CHUNK);
        for (int attempt = 1; ; attempt++) {
          try {
            for (int i = from; i < to; i++) {
              producer.send(topic, key(items.ids()[i]), value(items.ids()[i], items.embeddings()[i]));
            }
            producer.flush();
            break;
          } catch (IllegalStateException e) {
            producer.discard();
            producer = null;
            if (attempt == ATTEMPTS) {
              throw new IllegalStateException("items " + from + " to " + (to - 1) + " of the catalog could not be written to '"
                  + topic + "' in " + ATTEMPTS + " attempts: " + e.getMessage(), e);
            }
            LOG.warn("items {} to {} of the catalog were not all written to '{}' ({}), writing them again", from, to - 1, topic,
                e.getMessage());
            producer = CheckedProducer.to(kafka);
          }
        }
      }
    } finally {
      if (producer != null) {
        producer.close();
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
