package dev.drpo.operators.serve;

import dev.drpo.model.state.StateEncoder.Interaction;
import dev.drpo.operators.estimate.LoggedChoice;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A user's recent interactions, oldest first, at most the scorer's capacity, and when they expire;
 * with softmax exploration, also the user's latest answer until its interaction comes back (a Flink POJO).
 */
public class UserHistory {
  public String[] items = new String[0];
  public double[] rewards = new double[0];
  public long[] ts = new long[0];
  /** Processing time of the last interaction (with softmax exploration, or request). */
  public long lastSeenMs;
  /** Processing time of the user's pending expiry timer; 0: none (a history saved before it had one). */
  public long expiresAt;
  /** The user's latest softmax answer, as given, until the interaction with its first item echoes its requestId (null: none). */
  public LoggedChoice answered;

  public UserHistory() {}

  /** The interactions of the session at event time {@code at}: no later than it, and within {@code gapMs} before it. */
  public List<Interaction> session(long at, long gapMs) {
    List<Interaction> session = new ArrayList<>();
    for (int i = 0; i < items.length; i++) {
      if (ts[i] <= at && ts[i] > at - gapMs) {
        session.add(new Interaction(items[i], rewards[i]));
      }
    }
    return session;
  }

  /** The {@code n} most recent items (fewer if there are not as many), oldest first; an item may repeat. */
  public String[] recent(int n) {
    return Arrays.copyOfRange(items, Math.max(0, items.length - n), items.length);
  }

  /** A copy with arrays of its own. */
  public UserHistory copy() {
    UserHistory h = new UserHistory();
    h.items = items.clone();
    h.rewards = rewards.clone();
    h.ts = ts.clone();
    h.lastSeenMs = lastSeenMs;
    h.expiresAt = expiresAt;
    h.answered = answered == null ? null : answered.copy();
    return h;
  }

  /** This history with one more interaction, seen at processing time {@code now}, keeping the newest {@code capacity}. */
  public UserHistory append(String item, double reward, long when, long now, int capacity) {
    int keep = Math.min(items.length, capacity - 1);
    UserHistory h = new UserHistory();
    h.items = new String[keep + 1];
    h.rewards = new double[keep + 1];
    h.ts = new long[keep + 1];
    System.arraycopy(items, items.length - keep, h.items, 0, keep);
    System.arraycopy(rewards, rewards.length - keep, h.rewards, 0, keep);
    System.arraycopy(ts, ts.length - keep, h.ts, 0, keep);
    h.items[keep] = item;
    h.rewards[keep] = reward;
    h.ts[keep] = when;
    h.lastSeenMs = now;
    h.expiresAt = expiresAt;
    h.answered = answered;
    return h;
  }
}
