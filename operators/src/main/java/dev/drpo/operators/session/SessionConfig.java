package dev.drpo.operators.session;

import java.io.Serializable;

/**
 * @param gapMs inactivity that ends a session (default 30 min)
 * @param allowedLatenessMs how long after the watermark passes a session's end it still waits for
 *     late events before it is emitted (default 0)
 * @param maxEventsPerSession buffered events per user that force the user's sessions out early
 *     (default 500): a longer session is emitted in parts, none of it is dropped
 */
public record SessionConfig(long gapMs, long allowedLatenessMs, int maxEventsPerSession) implements Serializable {
  public SessionConfig {
    if (gapMs <= 0 || allowedLatenessMs < 0 || maxEventsPerSession < 1) {
      throw new IllegalArgumentException("need gapMs > 0, allowedLatenessMs >= 0, maxEventsPerSession >= 1: " + this);
    }
  }

  public static SessionConfig defaults() {
    return new SessionConfig(30 * 60_000L, 0, 500);
  }
}
