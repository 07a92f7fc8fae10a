package dev.drpo.operators.serve;

import dev.drpo.model.catalog.ItemCatalog;
import java.io.Serializable;

/**
 * The scorer's settings.
 *
 * @param policyName which policy's versions to serve
 * @param userFeatureDim length of the user features in requests (0: none); must match the trainer's
 * @param historyLength L: the state's history part (0: none); must match the trainer's
 * @param sessionGapMs only interactions this close before the request count for its state, as the
 *     trainer only sees a session's own earlier steps
 * @param excludeRecent how many of the user's most recent items are never recommended again
 * @param historyRetentionMs processing time after a user's last interaction (with softmax
 *     exploration, or request) when the user's history is deleted
 * @param maxBatch requests scored together at most
 * @param maxDelayMs processing time a request waits for its micro-batch to fill, at most
 * @param retrieval exact or approximate (HNSW) top-k, by catalog size
 * @param exploration which requests get items drawn around the mean, and how
 */
public record ScorerConfig(String policyName, int userFeatureDim, int historyLength, long sessionGapMs,
    int excludeRecent, long historyRetentionMs, int maxBatch, long maxDelayMs, ItemCatalog.Retrieval retrieval,
    Exploration exploration) implements Serializable {

  public ScorerConfig {
    if (userFeatureDim < 0 || historyLength < 0 || sessionGapMs < 1 || excludeRecent < 0 || historyRetentionMs < 1
        || maxBatch < 1 || maxDelayMs < 1 || retrieval == null || exploration == null) {
      throw new IllegalArgumentException("invalid scorer config: " + this);
    }
  }

  /** How many interactions a user's history keeps. */
  public int capacity() {
    return Math.max(1, Math.max(historyLength, excludeRecent));
  }
}
