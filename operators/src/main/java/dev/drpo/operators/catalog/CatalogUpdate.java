package dev.drpo.operators.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpo.model.catalog.ItemCatalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * One change of the catalog, decoded from the items topic: an upsert (the item's embedding) or a
 * delete (embedding null), with the partition and offset it was read at, so an instance that
 * loaded the topic up to some offset skips what it already holds.
 */
public class CatalogUpdate {
  private static final ObjectMapper JSON = new ObjectMapper();

  public String itemId;
  /** Null: the item is deleted. */
  public float[] embedding;
  public int partition;
  public long offset;

  public CatalogUpdate() {}

  public CatalogUpdate(String itemId, float[] embedding, int partition, long offset) {
    this.itemId = itemId;
    this.embedding = embedding;
    this.partition = partition;
    this.offset = offset;
  }

  /**
   * An items-topic record: key the item id, value {@code {"itemId":"...","embedding":[...]}} with
   * {@code dimension} finite numbers, not all zero, or null (a delete).
   *
   * @throws IllegalArgumentException naming the offset, the item and what is wrong
   */
  public static CatalogUpdate decode(ItemRecord r, int dimension) {
    String where = "items topic partition " + r.partition + " offset " + r.offset;
    if (r.key == null || r.key.length == 0) {
      throw new IllegalArgumentException(where + ": no key (the key is the item id)");
    }
    String id = new String(r.key, StandardCharsets.UTF_8);
    if (r.value == null) {
      return new CatalogUpdate(id, null, r.partition, r.offset);
    }
    JsonNode e;
    try {
      e = JSON.readTree(r.value).get("embedding");
    } catch (IOException ex) {
      throw new IllegalArgumentException(where + " (" + id + "): not JSON: " + ex.getMessage(), ex);
    }
    if (e == null || !e.isArray()) {
      throw new IllegalArgumentException(where + " (" + id + "): no embedding array");
    }
    if (e.size() != dimension) {
      throw new IllegalArgumentException(where + " (" + id + "): embedding of " + e.size() + " numbers, the catalog's dimension is " + dimension);
    }
    float[] v = new float[dimension];
    double norm = 0;
    for (int i = 0; i < dimension; i++) {
      if (!e.get(i).isNumber() || !Float.isFinite((float) e.get(i).asDouble())) {
        throw new IllegalArgumentException(where + " (" + id + "): embedding[" + i + "] is not a finite number: " + e.get(i));
      }
      v[i] = (float) e.get(i).asDouble();
      norm += (double) v[i] * v[i];
    }
    if (norm == 0) {
      throw new IllegalArgumentException(where + " (" + id + "): the embedding is all zeros");
    }
    return new CatalogUpdate(id, v, r.partition, r.offset);
  }

  /**
   * The change a record makes to the catalog: {@link #decode}d, or, for a record with an item id
   * whose value is not a valid item, that item's delete. The topic's latest record for an id decides
   * what the catalog holds, as it will once compaction has removed the id's earlier records, so
   * instances that load before and after compaction agree (keeping the earlier valid embedding
   * would hold only until compaction). Null for a record without an id. {@code rejected} hears of
   * every invalid record.
   */
  public static CatalogUpdate of(ItemRecord r, int dimension, Consumer<IllegalArgumentException> rejected) {
    try {
      return decode(r, dimension);
    } catch (IllegalArgumentException e) {
      rejected.accept(e);
      return r.key == null || r.key.length == 0 ? null
          : new CatalogUpdate(new String(r.key, StandardCharsets.UTF_8), null, r.partition, r.offset);
    }
  }

  public boolean isDelete() {
    return embedding == null;
  }

  /** Upserts or deletes the item in {@code catalog}. */
  public void applyTo(ItemCatalog catalog) {
    if (isDelete()) {
      catalog.delete(itemId);
    } else {
      catalog.upsert(itemId, embedding);
    }
  }
}
