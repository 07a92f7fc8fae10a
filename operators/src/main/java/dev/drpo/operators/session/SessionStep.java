package dev.drpo.operators.session;

/** One interaction of an open session, as the sessions stage keeps it. */
public class SessionStep {
  public String itemId;
  public double reward;
  /** Event time, epoch ms. */
  public long ts;
  /** When the record was appended to Kafka (its record timestamp), epoch ms; -1 when unknown. */
  public long appendMs = -1;
  public long policyVersion = -1;
  /** True until the step's sample has left (its quality was not final yet). */
  public boolean pending;

  public SessionStep() {}

  public SessionStep(String itemId, double reward, long ts, long appendMs, long policyVersion) {
    this.itemId = itemId;
    this.reward = reward;
    this.ts = ts;
    this.appendMs = appendMs;
    this.policyVersion = policyVersion;
    this.pending = true;
  }

  @Override
  public String toString() {
    return itemId + "@" + ts + "=" + reward + (pending ? "?" : "");
  }
}
