package dev.drpo.operators.session;

import java.util.Arrays;

/**
 * A user session: the user's interactions in event-time order, no two further apart than the gap.
 * {@code quality} is NaN until the {@code SessionQualityScorer} sets it.
 */
public class Session {
  public String userId;
  public String cohort;
  public SessionStep[] steps;
  /** The latest user features seen in the session, or null. */
  public float[] userFeatures;
  public long start;
  public long end;
  public double quality = Double.NaN;

  public Session() {}

  @Override
  public String toString() {
    return "Session{" + userId + "/" + cohort + " " + start + ".." + end + " " + Arrays.toString(steps) + "}";
  }
}
