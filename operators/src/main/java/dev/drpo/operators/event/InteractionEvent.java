package dev.drpo.operators.event;

import java.util.Arrays;
import java.util.Objects;

/**
 * One user interaction, decoded and validated (a Flink POJO: public fields, no-arg constructor).
 * Optional fields: {@code cohort} (null = "default"), {@code userFeatures} (null = none),
 * {@code requestId} (null = unknown: the answer whose item the user took),
 * {@code policyVersion} (-1 = not served by a known policy), {@code propensity} (NaN = unknown),
 * {@code explored} (false = the item was not drawn by the scorer's exploration, or unknown).
 */
public class InteractionEvent {
  public static final String DEFAULT_COHORT = "default";

  public String eventId;
  public String userId;
  public String itemId;
  /** Event time, epoch ms. */
  public long ts;
  public double reward;
  public String cohort;
  public float[] userFeatures;
  public String requestId;
  public long policyVersion = -1;
  public double propensity = Double.NaN;
  public boolean explored;
  /** When the record was appended to Kafka (its record timestamp), epoch ms; -1 when unknown. Not part of the JSON. */
  public long appendMs = -1;

  public InteractionEvent() {}

  public InteractionEvent(String eventId, String userId, String itemId, long ts, double reward, String cohort) {
    this.eventId = eventId;
    this.userId = userId;
    this.itemId = itemId;
    this.ts = ts;
    this.reward = reward;
    this.cohort = cohort;
  }

  public String cohortOrDefault() {
    return cohort == null ? DEFAULT_COHORT : cohort;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InteractionEvent e && ts == e.ts && Double.compare(reward, e.reward) == 0
        && policyVersion == e.policyVersion && Double.compare(propensity, e.propensity) == 0 && explored == e.explored
        && Objects.equals(eventId, e.eventId) && Objects.equals(userId, e.userId) && Objects.equals(itemId, e.itemId)
        && Objects.equals(cohort, e.cohort) && Arrays.equals(userFeatures, e.userFeatures) && Objects.equals(requestId, e.requestId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(eventId, userId, itemId, ts);
  }

  @Override
  public String toString() {
    return "InteractionEvent{" + eventId + ", user=" + userId + ", item=" + itemId + ", ts=" + ts + ", reward=" + reward
        + ", cohort=" + cohort + "}";
  }
}
