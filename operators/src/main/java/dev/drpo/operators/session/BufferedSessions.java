package dev.drpo.operators.session;

import dev.drpo.operators.event.InteractionEvent;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;

/**
 * The sessions stage's state as builds before 2 Dec 2026 (commit 020f616) kept it, under the same
 * uid {@code user-sessions}: per user the buffered events of the open session ({@code buffer}) and
 * their count with the time of the timer that closes them ({@code pending},
 * {@link UserSessionizer.Pending}). A savepoint of such a build restores into these states; each
 * user's buffered events become that user's {@link UserSession} the first time the user's key is
 * touched again (the next event, or the old close timer, which every user with buffered events
 * has), and the old states of that key are cleared. Nothing of such a savepoint is lost or left
 * behind. A job restored from anything else never reads them ({@link #restoredIn}).
 */
final class BufferedSessions {
  static final ListStateDescriptor<InteractionEvent> BUFFER = new ListStateDescriptor<>("buffer", InteractionEvent.class);
  static final ValueStateDescriptor<UserSessionizer.Pending> PENDING = new ValueStateDescriptor<>("pending", UserSessionizer.Pending.class);

  private final ListState<InteractionEvent> buffer;
  private final ValueState<UserSessionizer.Pending> pending;

  /** True if the operator's keyed state holds buffered sessions of an earlier build (asked once, at open). */
  static boolean restoredIn(KeyedStateBackend<?> backend) {
    try (Stream<?> keys = backend.getKeys(BUFFER.getName(), VoidNamespace.INSTANCE)) {
      return keys.findAny().isPresent();
    }
  }

  BufferedSessions(RuntimeContext context) {
    buffer = context.getListState(BUFFER);
    pending = context.getState(PENDING);
  }

  /**
   * The current user's buffered events as a session of pending steps, with the old close timer as
   * its timer, and the old states cleared; null when the user has none. A repeated event id among
   * them goes to {@code duplicate} (the first copy stays), as the old build would have done.
   */
  UserSession carryOver(Consumer<InteractionEvent> duplicate) throws Exception {
    Iterable<InteractionEvent> events = buffer.get();
    UserSession s = null;
    if (events != null) {
      for (InteractionEvent e : events) {
        if (s == null) {
          s = UserSession.beginningWith(e);
        }
        if (!s.add(e)) {
          duplicate.accept(e);
        }
      }
    }
    if (s == null) {
      return null;
    }
    UserSessionizer.Pending p = pending.value();
    s.timer = p == null ? UserSession.NO_TIMER : p.closeAt;
    buffer.clear();
    pending.clear();
    return s;
  }
}
