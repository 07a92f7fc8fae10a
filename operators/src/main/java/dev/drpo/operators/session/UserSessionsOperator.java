package dev.drpo.operators.session;

import dev.drpo.operators.event.InteractionEvent;
import dev.drpo.operators.quality.QualityConfig;
import dev.drpo.operators.quality.QualitySample;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * Runs the {@link UserSessionizer} and writes the sessions it changed to keyed state before every
 * checkpoint barrier ({@link SessionCache}): Flink's own mini-batch operators finish a bundle the
 * same way ({@code prepareSnapshotPreBarrier}). Wire it with {@code keyBy(userId).transform(...)}.
 */
public class UserSessionsOperator extends KeyedProcessOperator<String, InteractionEvent, QualitySample> {
  /** The most the sessions it holds between checkpoints take on the heap, per instance (for sizing TaskManagers). */
  public static final long MAX_HEAP_BYTES = SessionCache.MAX_BYTES;
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
    sessionizer.keysFrom(this);
    super.open();
    if (BufferedSessions.restoredIn(getKeyedStateBackend())) {
      sessionizer.carryOverEarlierBuilds();
    }
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    sessionizer.writeBack();
  }

  @Override
  public void finish() throws Exception {
    super.finish();
    sessionizer.writeBack(); // a final checkpoint (bounded input) holds them too
  }
}
