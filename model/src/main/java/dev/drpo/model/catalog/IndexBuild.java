package dev.drpo.model.catalog;

import java.util.List;

/**
 * An HNSW index being built for an {@link ItemCatalog} from a snapshot of its items, on any
 * thread (the snapshot's embeddings are never changed in place), while the catalog keeps serving
 * exactly and records what changes meanwhile; {@link ItemCatalog#adopt} then applies those changes
 * to the index and searches with it. Lucene builds one graph per indexing thread, on every core.
 */
public final class IndexBuild {
  private final ItemCatalog.Retrieval retrieval;
  private final List<String> ids;
  private final List<float[]> units;
  private volatile HnswIndex index;

  IndexBuild(ItemCatalog.Retrieval retrieval, List<String> ids, List<float[]> units) {
    this.retrieval = retrieval;
    this.ids = ids;
    this.units = units;
  }

  /** Builds the index (minutes at a million items); throws, leaving nothing behind, if it cannot. */
  public void run() {
    HnswIndex built = new HnswIndex(retrieval.kept(), false, retrieval.m(), retrieval.beamWidth(), retrieval.ramBufferMb());
    try {
      built.addAll(ids, units);
    } catch (RuntimeException | Error e) {
      built.close();
      throw e;
    }
    index = built;
  }

  /** Items in the snapshot. */
  public int size() {
    return ids.size();
  }

  ItemCatalog.Retrieval retrieval() {
    return retrieval;
  }

  /** The built index; null if {@link #run} has not completed. */
  HnswIndex index() {
    return index;
  }

  /** Releases a built index nobody adopted (a temporary one is deleted). */
  public void discard() {
    HnswIndex built = index;
    index = null;
    if (built != null) {
      built.close();
    }
  }
}
