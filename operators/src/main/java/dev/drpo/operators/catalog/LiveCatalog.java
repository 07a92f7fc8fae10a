package dev.drpo.operators.catalog;

import dev.drpo.model.catalog.ItemCatalog;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance's catalog while the job runs: loaded when the instance opens, then kept current by
 * the catalog updates every instance receives (broadcast). An update at an offset the load already
 * covered is skipped, so after a restore (the items source resumes from its checkpointed offsets,
 * older than what the load read) an old upsert cannot overwrite a newer one, nor resurrect a deleted
 * item. Updates of one partition (one item id) arrive in offset order.
 *
 * <p>An HNSW index is expensive to build (minutes at a million items), so when the retrieval has an
 * index directory the index is kept there: committed after it is built and at most every
 * {@link #COMMIT_NANOS} while updates arrive, with the topic offsets it holds. An instance that
 * opens where a compatible index was committed (same topic and cluster, dimension, graph settings)
 * reopens it and reads the topic only from those offsets on, instead of from its beginning; an
 * index that cannot be reopened is built again. The index may hold records past its offsets (the
 * commit data trails the content): reading them again applies them again, in order, to the same
 * result. As with Flink's local recovery, this helps only an instance that opens on a machine where
 * the index was kept.
 */
public final class LiveCatalog implements AutoCloseable {
  static final long COMMIT_NANOS = 10_000_000_000L;
  private static final Logger LOG = LoggerFactory.getLogger(LiveCatalog.class);

  private final ItemCatalog catalog;
  private final Map<Integer, Long> loadedUpTo;
  private final Map<Integer, Long> appliedUpTo;
  private final Map<String, String> identity;
  private long lastCommitNanos;
  private boolean uncommitted;

  private LiveCatalog(ItemCatalog catalog, Map<Integer, Long> loadedUpTo, Map<String, String> identity) {
    this.catalog = catalog;
    this.loadedUpTo = Map.copyOf(loadedUpTo);
    this.appliedUpTo = new HashMap<>(loadedUpTo);
    this.identity = identity;
    commit();
  }

  /** Loads the catalog (resuming a kept index when there is one), then builds its index (see {@link ItemCatalog#retrieve}). */
  public static LiveCatalog load(CatalogLoader loader, ItemCatalog.Retrieval retrieval) throws Exception {
    Map<String, String> identity = loader.source() == null ? Map.of() : Map.of("source", loader.source(),
        "dimension", String.valueOf(loader.dimension()), "m", String.valueOf(retrieval.m()),
        "beam-width", String.valueOf(retrieval.beamWidth()));
    if (!identity.isEmpty()) {
      Map<String, String> committed = ItemCatalog.committed(retrieval);
      if (!committed.isEmpty() && identity.entrySet().stream().allMatch(e -> e.getValue().equals(committed.get(e.getKey())))) {
        ItemCatalog kept = null;
        try {
          kept = ItemCatalog.reopen(loader.dimension(), retrieval);
          LOG.info("reopened the catalog's index in {}: {} items, reading the topic from {}", retrieval.indexDirectory(),
              kept.size(), committed.get("offsets"));
          return new LiveCatalog(kept, loader.loadInto(kept, offsets(committed.get("offsets"))), identity);
        } catch (RuntimeException e) {
          LOG.warn("cannot reopen the catalog's index in {}, building it again", retrieval.indexDirectory(), e);
          if (kept != null) {
            kept.close();
          }
        }
      }
    }
    ItemCatalog catalog = new ItemCatalog(loader.dimension(), ItemCatalog.Retrieval.EXACT);
    try {
      Map<Integer, Long> loadedUpTo = loader.loadInto(catalog, Map.of());
      try {
        catalog.retrieve(identity.isEmpty() ? retrieval.temporary() : retrieval);
      } catch (RuntimeException e) { // e.g. another instance still holds the directory's lock
        LOG.warn("cannot keep the catalog's index in {}, building it in a temporary directory", retrieval.indexDirectory(), e);
        catalog.retrieve(retrieval.temporary());
      }
      return new LiveCatalog(catalog, loadedUpTo, identity);
    } catch (Exception | Error e) {
      catalog.close();
      throw e;
    }
  }

  private static Map<Integer, Long> offsets(String text) {
    Map<Integer, Long> offsets = new HashMap<>();
    for (String pair : text == null || text.isEmpty() ? new String[0] : text.split(",")) {
      String[] p = pair.split(":");
      offsets.put(Integer.parseInt(p[0]), Long.parseLong(p[1]));
    }
    return offsets;
  }

  /** Applies the update unless the load covered it; true if applied. */
  public boolean apply(CatalogUpdate update) {
    if (update.offset < loadedUpTo.getOrDefault(update.partition, 0L)) {
      return false;
    }
    update.applyTo(catalog);
    appliedUpTo.merge(update.partition, update.offset + 1, Math::max);
    uncommitted = true;
    if (System.nanoTime() - lastCommitNanos > COMMIT_NANOS) {
      commit();
    }
    return true;
  }

  private void commit() {
    if (!identity.isEmpty()) {
      Map<String, String> data = new HashMap<>(identity);
      data.put("offsets", appliedUpTo.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(",")));
      catalog.commit(data);
    }
    lastCommitNanos = System.nanoTime();
    uncommitted = false;
  }

  public ItemCatalog catalog() {
    return catalog;
  }

  /** Commits what is not yet, then releases the index (a kept one stays on disk). */
  @Override
  public void close() {
    if (uncommitted) {
      commit();
    }
    catalog.close();
  }
}
