package dev.drpo.operators.session;

/** One interaction inside a session. */
public class SessionStep {
  public String eventId;
  public String itemId;
  public double reward;
  public long ts;
  public long policyVersion = -1;

  public SessionStep() {}

  public SessionStep(String eventId, String itemId, double reward, long ts, long policyVersion) {
    this.eventId = eventId;
    this.itemId = itemId;
    this.reward = reward;
    this.ts = ts;
    this.policyVersion = policyVersion;
  }

  @Override
  public String toString() {
    return itemId + "@" + ts + "=" + reward;
  }
}
