package dev.drpo.operators.serve;

import dev.drpo.operators.catalog.CatalogUpdate;
import dev.drpo.operators.train.PolicyVersion;

/** What every scorer instance receives (broadcast): a policy version or a catalog update; exactly one is set. */
public class ServingUpdate {
  public PolicyVersion version;
  public CatalogUpdate item;

  public ServingUpdate() {}

  public static ServingUpdate of(PolicyVersion version) {
    ServingUpdate u = new ServingUpdate();
    u.version = version;
    return u;
  }

  public static ServingUpdate of(CatalogUpdate item) {
    ServingUpdate u = new ServingUpdate();
    u.item = item;
    return u;
  }
}
