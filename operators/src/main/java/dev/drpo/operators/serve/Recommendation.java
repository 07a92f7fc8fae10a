package dev.drpo.operators.serve;

import java.util.Arrays;

/**
 * The answer to one request (topic recommendations). {@code policyVersion} is the version that
 * ranked the items, or -1 with {@code fallback} saying why: no policy has arrived yet, or the catalog
 * is still loading and too many requests wait for it (no items).
 */
public class Recommendation {
  public static final String NO_POLICY_YET = "NO_POLICY_YET: uniform random items, seeded by the requestId";
  public static final String CATALOG_LOADING = "CATALOG_LOADING: no items, the scorer is still loading the catalog and 100000 requests wait for it";

  public String requestId;
  public String userId;
  public String[] items;
  /** Cosine similarity of each item to the action searched with: the policy's mean, or the Gaussian draw (0 for the fallback). */
  public float[] scores;
  /**
   * With {@link Exploration.Mode#SOFTMAX}, per item the probability with which the whole serving mix
   * (the exploit share and the draw) shows it in its slot given the items before it, for every
   * answer, explored or not; null where it is not defined (no exploration, a Gaussian draw, a
   * fallback).
   */
  public double[] propensities;
  /** Whether the items were drawn ({@link Exploration}) instead of being the k nearest the policy's mean. */
  public boolean explored;
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
