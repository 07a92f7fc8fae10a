package dev.drpo.operators.serve;

import java.util.Arrays;

/**
 * The answer to one request (topic recommendations). {@code policyVersion} is the version that
 * ranked the items, or -1 with {@code fallback} saying why when no policy has arrived yet.
 */
public class Recommendation {
  public static final String NO_POLICY_YET = "NO_POLICY_YET: uniform random items, seeded by the requestId";

  public String requestId;
  public String userId;
  public String[] items;
  /** Cosine similarity of each item to the policy's mean action (0 for the fallback). */
  public float[] scores;
  public long policyVersion;
  /** The request's ts, epoch ms. */
  public long ts;
  /** Wall-clock time the answer was computed, epoch ms. */
  public long servedAtMs;
  public String fallback;

  public Recommendation() {}

  @Override
  public String toString() {
    return "Recommendation{" + requestId + ", user=" + userId + ", v" + policyVersion + ", " + Arrays.toString(items) + "}";
  }
}
