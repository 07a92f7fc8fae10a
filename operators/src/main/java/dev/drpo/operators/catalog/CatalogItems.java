package dev.drpo.operators.catalog;

import dev.drpo.model.catalog.ItemCatalog;
import java.util.Map;

/**
 * A fixed catalog, ids and embeddings (from {@code catalog.file}, or built by a test): every
 * instance loads all of it when it opens; it never changes while the job runs.
 */
public record CatalogItems(String[] ids, float[][] embeddings) implements CatalogLoader {

  public CatalogItems {
    if (ids.length == 0 || ids.length != embeddings.length) {
      throw new IllegalArgumentException("the catalog needs at least one item and one embedding per item id, got "
          + ids.length + " ids and " + embeddings.length + " embeddings");
    }
  }

  /** The ids and embeddings of a catalog. */
  public static CatalogItems of(ItemCatalog catalog) {
    String[] ids = new String[catalog.size()];
    float[][] embeddings = new float[ids.length][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = catalog.id(i);
      embeddings[i] = catalog.embedding(i);
    }
    return new CatalogItems(ids, embeddings);
  }

  @Override
  public int dimension() {
    return embeddings[0].length;
  }

  public int size() {
    return ids.length;
  }

  @Override
  public String source() {
    return null;
  }

  /** Upserts every item ({@code from} does not apply: the list has no offsets). */
  @Override
  public Map<Integer, Long> loadInto(ItemCatalog catalog, Map<Integer, Long> from) {
    for (int i = 0; i < ids.length; i++) {
      catalog.upsert(ids[i], embeddings[i]);
    }
    return Map.of();
  }
}
