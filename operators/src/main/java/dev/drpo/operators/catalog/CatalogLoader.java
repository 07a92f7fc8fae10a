package dev.drpo.operators.catalog;

import dev.drpo.model.catalog.ItemCatalog;
import java.io.Serializable;
import java.util.Map;

/**
 * Where an instance that scores or encodes gets the catalog when it opens (start and restore):
 * a fixed list ({@link CatalogItems}) or the compacted items topic read to its end. What it
 * returns says up to where it read, so the instance applies only the later updates.
 */
public interface CatalogLoader extends Serializable {

  /** The embeddings' length. */
  int dimension();

  /**
   * What this loader reads, for an instance to recognise an index it kept (e.g. the topic and its
   * cluster); null for a catalog that is not read from a topic (nothing can be resumed).
   */
  String source();

  /**
   * What an index kept for this loader must have recorded to be trusted, asked on the loading
   * thread when an instance opens (it may ask the cluster): by default the {@link #source()}; for a
   * topic also its id (a topic deleted and created again under the same name has another). An
   * entry {@value #TRUST_MS} also limits how long after its commit a kept index is trusted. Empty
   * when nothing can be kept (a catalog not read from a topic).
   */
  default Map<String, String> identity() throws Exception {
    return source() == null ? Map.of() : Map.of("source", source());
  }

  /** The {@link #identity()} entry: milliseconds after its commit during which a kept index is trusted. */
  String TRUST_MS = "trust-ms";

  /**
   * The {@link #identity()} entry: the topic's {@code cleanup.policy}. With {@code delete} in it,
   * records also expire by time, so a kept index is trusted only within {@value #TRUST_MS}.
   */
  String CLEANUP_POLICY = "cleanup-policy";

  /**
   * Per partition of the topic, the offset after its last record now (asked on the loading thread
   * with the {@link #identity()}): a kept index that holds the topic up to these offsets has missed
   * nothing, however old its commit. Empty where unknown (then only the {@value #TRUST_MS} counts).
   */
  default Map<Integer, Long> endOffsets() throws Exception {
    return Map.of();
  }

  /**
   * Applies every record from {@code from} on (per partition; absent: from the beginning) to
   * {@code catalog}: upserts and deletes, in order.
   *
   * @return per partition of the items topic, the offset of the first record not read (empty for a
   *     catalog that is not read from the topic)
   */
  Map<Integer, Long> loadInto(ItemCatalog catalog, Map<Integer, Long> from) throws Exception;
}
