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
   * Upserts every live item into {@code catalog}.
   *
   * @return per partition of the items topic, the offset of the first record not loaded (empty
   *     for a catalog that is not read from the topic)
   */
  Map<Integer, Long> loadInto(ItemCatalog catalog) throws Exception;
}
