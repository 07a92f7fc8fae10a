package dev.drpo.operators.event;

/**
 * A recommendation request from topic rec-requests, decoded and validated (a Flink POJO).
 * Optional: {@code cohort} (null = "default"), {@code userFeatures} (null = none).
 */
public class RecRequest {
  public String requestId;
  public String userId;
  /** When the user asked, epoch ms. */
  public long ts;
  /** How many items to return. */
  public int k;
  public String cohort;
  public float[] userFeatures;

  public RecRequest() {}

  @Override
  public String toString() {
    return "RecRequest{" + requestId + ", user=" + userId + ", ts=" + ts + ", k=" + k + "}";
  }
}
