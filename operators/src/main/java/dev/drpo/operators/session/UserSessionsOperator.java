package dev.drpo.operators.session;

import dev.drpo.operators.event.InteractionEvent;
import dev.drpo.operators.quality.QualityConfig;
import dev.drpo.operators.quality.QualitySample;
import dev.drpo.operators.state.WriteBackCache;
import dev.drpo.operators.state.WriteBackOperator;

/**
 * Runs the {@link UserSessionizer} and writes the sessions it changed to keyed state before every
 * checkpoint barrier ({@link WriteBackCache}, {@link WriteBackOperator}). Wire it with
 * {@code keyBy(userId).transform(...)}.
 */
public class UserSessionsOperator extends WriteBackOperator<InteractionEvent, QualitySample, UserSessionizer> {
  /**
   * Sessions held on the heap between checkpoints, per instance: about a kilobyte each (a few
   * events, the history's steps), up to about 16 KB for one at {@code sessions.max-events} 500 (its
   * and the capped one's event ids).
   */
  static final int HELD_SESSIONS = 20_000;
  /** The most the sessions it holds between checkpoints take on the heap, per instance (for sizing TaskManagers). */
  public static final long MAX_HEAP_BYTES = HELD_SESSIONS * 16_384L;
  private final UserSessionizer sessionizer;

  public UserSessionsOperator(SessionConfig sessions, QualityConfig quality) {
    this(new UserSessionizer(sessions, quality));
  }

  private UserSessionsOperator(UserSessionizer sessionizer) {
    super(sessionizer);
    this.sessionizer = sessionizer;
  }

  @Override
  public void open() throws Exception {
    super.open();
    if (BufferedSessions.restoredIn(getKeyedStateBackend())) {
      sessionizer.carryOverEarlierBuilds();
    }
  }
}
