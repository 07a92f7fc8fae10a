package dev.drpo.operators.serve;

import dev.drpo.operators.event.RecRequest;

/**
 * A request waiting for its micro-batch, with what its user's keyed state gave it: the state s
 * and the items it must not be shown. In memory only (the scorer answers every waiting request
 * before a checkpoint barrier), except while the scorer's catalog loads: then the state cannot be
 * built yet, the request keeps its session instead and waits in operator state.
 */
public class PendingRequest {
  public RecRequest request;
  /** The state s; null until the catalog is there to build it from the session. */
  public float[] state;
  /** The user's interactions of the session before the request (while {@code state} is null). */
  public String[] sessionItems;
  public double[] sessionRewards;
  public String[] exclude;
  /** When it arrived, wall clock: the scoring latency is measured from here. */
  public long arrivedAtNanos;

  public PendingRequest() {}
}
