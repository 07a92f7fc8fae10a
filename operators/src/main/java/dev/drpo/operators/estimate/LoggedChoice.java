package dev.drpo.operators.estimate;

/**
 * An answer the scorer gave with softmax exploration, as it gave it: the request's state and
 * exclusions, how many items it asked for, the first item and the probability with which the
 * serving mix showed it first, and the version that answered; then, once the user's interaction
 * with that first item echoes the answer's requestId, the reward it earned. A Flink POJO.
 */
public class LoggedChoice {
  public String requestId;
  /** The state s the request was answered from. */
  public float[] state;
  /** The items the scorer would not show the user (the user's most recent ones). */
  public String[] excluded;
  /** Items asked for: the softmax draws from the max(k, scorer.softmax-candidates) nearest the mean. */
  public int k;
  /** The answer's first item (null until the answer is scored). */
  public String itemId;
  /** The serving mix's probability of showing {@code itemId} first. */
  public double propensity = Double.NaN;
  public long policyVersion = -1;
  /** The reward of the interaction with the first item (NaN until it comes back). */
  public double reward = Double.NaN;

  public LoggedChoice() {}

  /** A copy whose arrays may be shared (they are never changed once set). */
  public LoggedChoice copy() {
    LoggedChoice c = new LoggedChoice();
    c.requestId = requestId;
    c.state = state;
    c.excluded = excluded;
    c.k = k;
    c.itemId = itemId;
    c.propensity = propensity;
    c.policyVersion = policyVersion;
    c.reward = reward;
    return c;
  }

  @Override
  public String toString() {
    return "LoggedChoice{" + requestId + " " + itemId + " p=" + propensity + " r=" + reward + " v" + policyVersion + "}";
  }
}
