package dev.drpo.operators.serve;

import dev.drpo.operators.event.RecRequest;

/**
 * A request waiting for its micro-batch, with what its user's keyed state gave it: the state s
 * and the items it must not be shown (in memory only: the scorer answers every waiting request before a checkpoint barrier).
 */
public class PendingRequest {
  public RecRequest request;
  public float[] state;
  public String[] exclude;
  /** When it arrived, wall clock: the scoring latency is measured from here. */
  public long arrivedAtNanos;

  public PendingRequest() {}
}
