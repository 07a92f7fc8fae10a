package dev.drpo.operators.catalog;

import dev.drpo.model.catalog.ItemCatalog;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a kept HNSW index's commit records, so that a catalog that opens later can tell whether to
 * trust it: the identity of what it indexes ({@link CatalogLoader#identity()}: cluster, topic and
 * its id; with the dimension and the graph settings), when it was committed, and per partition of
 * the items topic the offset after the last record it holds.
 */
public final class IndexCommitData {
  /** When the index was committed, epoch ms. */
  static final String COMMITTED_AT = "committed-at-ms";
  /** {@code partition:offset,...}: the offsets the catalog reads on from when it reopens the index. */
  static final String OFFSETS = "offsets";

  private IndexCommitData() {}

  /**
   * What an index kept for {@code loader}'s catalog under {@code retrieval} must have recorded to be
   * trusted (may ask the cluster); empty when nothing can be kept.
   */
  public static Map<String, String> identity(CatalogLoader loader, ItemCatalog.Retrieval retrieval) throws Exception {
    Map<String, String> asked = loader.identity();
    if (asked.isEmpty()) {
      return Map.of();
    }
    Map<String, String> identity = new HashMap<>(asked);
    identity.put("dimension", String.valueOf(loader.dimension()));
    identity.put("m", String.valueOf(retrieval.m()));
    identity.put("beam-width", String.valueOf(retrieval.beamWidth()));
    return Map.copyOf(identity);
  }

  /** The commit data of an index of {@code identity} that holds the topic up to {@code offsets}, committed now. */
  public static Map<String, String> of(Map<String, String> identity, Map<Integer, Long> offsets) {
    Map<String, String> data = new HashMap<>(identity);
    data.put(COMMITTED_AT, String.valueOf(System.currentTimeMillis()));
    data.put(OFFSETS, offsets.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(",")));
    return data;
  }

  /** The offsets a commit recorded: per partition, the offset after the last record the index holds. */
  static Map<Integer, Long> offsets(Map<String, String> committed) {
    String text = committed.get(OFFSETS);
    Map<Integer, Long> offsets = new HashMap<>();
    for (String pair : text == null || text.isEmpty() ? new String[0] : text.split(",")) {
      String[] p = pair.split(":");
      offsets.put(Integer.parseInt(p[0]), Long.parseLong(p[1]));
    }
    return offsets;
  }

  /**
   * True if {@code committed} matches {@code identity} and either holds the topic up to its
   * {@code topicEnds} (nothing was written since: nothing can have been missed, however old the
   * commit; not for a topic whose records also expire by time, {@link CatalogLoader#CLEANUP_POLICY})
   * or, if the identity limits it ({@link CatalogLoader#TRUST_MS}: a topic's
   * {@code delete.retention.ms}, after which compaction may have removed a tombstone the index never
   * saw), was committed recently enough.
   */
  static boolean trusted(Map<String, String> identity, Map<String, String> committed, Map<Integer, Long> topicEnds) {
    if (identity.isEmpty() || committed.isEmpty()
        || !identity.entrySet().stream().allMatch(e -> e.getValue().equals(committed.get(e.getKey())))) {
      return false;
    }
    // a writer that is not transactional leaves end offsets a commit can equal; a transactional one's
    // commit markers never do (then the window below decides): safe either way
    boolean expires = identity.getOrDefault(CatalogLoader.CLEANUP_POLICY, "compact").contains("delete");
    if (!expires && !topicEnds.isEmpty() && topicEnds.equals(offsets(committed))) {
      return true;
    }
    String trustMs = identity.get(CatalogLoader.TRUST_MS);
    return trustMs == null
        || System.currentTimeMillis() - Long.parseLong(committed.getOrDefault(COMMITTED_AT, "0")) <= Long.parseLong(trustMs);
  }
}
