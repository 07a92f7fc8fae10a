package dev.drpo.operators.session;

import dev.drpo.operators.event.InteractionEvent;

/** One interaction of an open session, as the sessions stage keeps it. */
public class SessionStep {
  public String itemId;
  public double reward;
  /** Event time, epoch ms. */
  public long ts;
  /** When the record was appended to Kafka (its record timestamp), epoch ms; -1 when unknown. */
  public long appendMs = -1;
  public long policyVersion = -1;
  /** The probability with which the scorer drew the item (NaN: unknown), and whether it explored. */
  public double propensity = Double.NaN;
  public boolean explored;
  /** True until the step's sample has left (its quality was not final yet). */
  public boolean pending;

  public SessionStep() {}

  /** The step of an interaction, pending. */
  public static SessionStep of(InteractionEvent e) {
    SessionStep step = new SessionStep();
    step.itemId = e.itemId;
    step.reward = e.reward;
    step.ts = e.ts;
    step.appendMs = e.appendMs;
    step.policyVersion = e.policyVersion;
    step.propensity = e.propensity;
    step.explored = e.explored;
    step.pending = true;
    return step;
  }

  @Override
  public String toString() {
    return itemId + "@" + ts + "=" + reward + (pending ? "?" : "");
  }
}
