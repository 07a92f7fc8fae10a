package dev.drpo.operators.catalog;

import dev.drpo.model.catalog.ItemCatalog;
import java.util.Map;

/**
 * One instance's catalog while the job runs: loaded when the instance opens, then kept current by
 * the catalog updates every instance receives (broadcast). An update at an offset the load already
 * covered is skipped, so after a restore (the items source resumes from its checkpointed offsets,
 * older than what the load read) an old upsert cannot overwrite a newer one, nor resurrect a deleted
 * item. Updates of one partition (one item id) arrive in offset order.
 */
public final class LiveCatalog implements AutoCloseable {
  private final ItemCatalog catalog;
  private final Map<Integer, Long> loadedUpTo;

  private LiveCatalog(ItemCatalog catalog, Map<Integer, Long> loadedUpTo) {
    this.catalog = catalog;
    this.loadedUpTo = loadedUpTo;
  }

  /** Loads the catalog, then builds its index (see {@link ItemCatalog#retrieve}). */
  public static LiveCatalog load(CatalogLoader loader, ItemCatalog.Retrieval retrieval) throws Exception {
    ItemCatalog catalog = new ItemCatalog(loader.dimension(), ItemCatalog.Retrieval.EXACT);
    try {
      Map<Integer, Long> loadedUpTo = Map.copyOf(loader.loadInto(catalog));
      catalog.retrieve(retrieval);
      return new LiveCatalog(catalog, loadedUpTo);
    } catch (Exception | Error e) {
      catalog.close();
      throw e;
    }
  }

  /** Applies the update unless the load covered it; true if applied. */
  public boolean apply(CatalogUpdate update) {
    if (update.offset < loadedUpTo.getOrDefault(update.partition, 0L)) {
      return false;
    }
    if (update.isDelete()) {
      catalog.delete(update.itemId);
    } else {
      catalog.upsert(update.itemId, update.embedding);
    }
    return true;
  }

  public ItemCatalog catalog() {
    return catalog;
  }

  @Override
  public void close() {
    catalog.close();
  }
}
