package dev.drpo.operators.estimate;

/**
 * What the scorer knows of an answer once its user's interaction with the first item comes back
 * with the propensity the answer gave it: the request's state (the user's features and the
 * session's earlier interactions), the items the scorer excluded, the item taken, its propensity
 * under the serving mix that showed it, and the reward it earned. A Flink POJO.
 */
public class LoggedChoice {
  public String userId;
  public String itemId;
  /** Event time of the interaction, epoch ms. */
  public long ts;
  public double propensity;
  public double reward;
  public long policyVersion;
  public float[] userFeatures;
  public String[] sessionItems;
  public double[] sessionRewards;
  public String[] excluded;

  public LoggedChoice() {}

  @Override
  public String toString() {
    return "LoggedChoice{" + userId + " " + itemId + " p=" + propensity + " r=" + reward + " v" + policyVersion + "}";
  }
}
