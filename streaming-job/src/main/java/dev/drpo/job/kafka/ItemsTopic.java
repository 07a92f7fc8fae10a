package dev.drpo.job.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drpo.operators.catalog.CatalogItems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The compacted {@code items} topic: key itemId, value {@code {"itemId":"...","embedding":[...]}},
 * a null value (tombstone) deletes the item. The job reads it to its end when it starts; a changed
 * catalog reaches the job with its next start (from a savepoint).
 */
public final class ItemsTopic {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ItemsTopic() {}

  /** Every live item, in first-seen order; fails clearly on a bad record or an empty topic. */
  public static CatalogItems read(KafkaConnection kafka, String topic, Duration timeout) {
    List<ConsumerRecord<byte[], byte[]>> records;
    try {
      records = CommittedRecords.read(kafka, topic, timeout);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the items topic: " + e.getMessage() + " (or set catalog.file)", e);
    }
    Map<String, float[]> items = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      String key = new String(r.key(), StandardCharsets.UTF_8);
      if (r.value() == null) {
        items.remove(key);
      } else {
        items.put(key, embedding(r, key));
      }
    }
    if (items.isEmpty()) {
      throw new IllegalArgumentException("the items topic '" + topic + "' holds no items");
    }
    return new CatalogItems(items.keySet().toArray(String[]::new), items.values().toArray(float[][]::new));
  }

  private static float[] embedding(ConsumerRecord<byte[], byte[]> r, String key) {
    try {
      JsonNode e = JSON.readTree(r.value()).get("embedding");
      if (e == null || !e.isArray() || e.isEmpty()) {
        throw new IllegalArgumentException("items topic offset " + r.offset() + " (" + key + "): no embedding array");
      }
      float[] v = new float[e.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) e.get(i).asDouble();
      }
      return v;
    } catch (IOException ex) {
      throw new IllegalArgumentException("items topic offset " + r.offset() + " (" + key + "): " + ex.getMessage(), ex);
    }
  }

  /** Writes a catalog to the topic (the demo and tests use this; a catalog service would too). */
  public static void write(KafkaConnection kafka, String topic, CatalogItems items) {
    try (CheckedProducer producer = CheckedProducer.to(kafka)) {
      for (int i = 0; i < items.size(); i++) {
        ObjectNode value = JSON.createObjectNode().put("itemId", items.ids()[i]);
        var array = value.putArray("embedding");
        for (float f : items.embeddings()[i]) {
          array.add(f);
        }
        producer.send(topic, items.ids()[i].getBytes(StandardCharsets.UTF_8), value.toString().getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
