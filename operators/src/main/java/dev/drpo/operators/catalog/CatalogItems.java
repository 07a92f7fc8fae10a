package dev.drpo.operators.catalog;

import dev.drpo.model.catalog.ItemCatalog;
import java.io.Serializable;
import java.util.Arrays;

/**
 * The item catalog as the job ships it to every parallel instance of the functions that need it
 * (state encoding, scoring): ids and embeddings, read once when the job is built (from a file or
 * the compacted {@code items} topic). Each instance builds its own {@link ItemCatalog} in open().
 */
public record CatalogItems(String[] ids, float[][] embeddings) implements Serializable {

  public CatalogItems {
    if (ids.length == 0 || ids.length != embeddings.length) {
      throw new IllegalArgumentException("the catalog needs at least one item and one embedding per item id, got "
          + ids.length + " ids and " + embeddings.length + " embeddings");
    }
  }

  /** The ids and embeddings of a catalog, to ship with a job. */
  public static CatalogItems of(ItemCatalog catalog) {
    String[] ids = new String[catalog.size()];
    float[][] embeddings = new float[ids.length][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = catalog.id(i);
      embeddings[i] = catalog.embedding(i);
    }
    return new CatalogItems(ids, embeddings);
  }

  public int dimension() {
    return embeddings[0].length;
  }

  public int size() {
    return ids.length;
  }

  public ItemCatalog catalog() {
    return new ItemCatalog(Arrays.asList(ids), embeddings);
  }
}
