package dev.drpo.operators.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * The sessions of the users active since the last checkpoint, on the heap: an event reads and
 * changes its user's session here, and the sessions changed since are written to keyed state
 * (RocksDB) once, before the next checkpoint barrier ({@link #writeBack}), instead of a state read
 * and write per event (which, with the (de)serialization of the value, was most of the sessions
 * stage's time). A checkpoint therefore holds every session as of its barrier, as before; what a
 * failure loses from here was changed after the last checkpoint, and is read again from the
 * sources. At most {@link #CAPACITY} sessions are held: beyond, the least recently used is written
 * to state (if changed) and dropped. A session that ends is removed from both at once. Writing back
 * holds the checkpoint barrier for a few microseconds per changed session (up to {@link #CAPACITY}).
 */
final class SessionCache {
  /**
   * Sessions held per instance: about a kilobyte each (a few events, the history's steps), up to
   * about 16 KB for one at {@code sessions.max-events} 500 (its and the capped one's event ids).
   */
  static final int CAPACITY = 20_000;
  /** The most the held sessions take on the heap, per instance. */
  static final long MAX_BYTES = CAPACITY * 16_384L;

  private final ValueState<UserSession> state;
  private final KeyContext keys;
  private final LinkedHashMap<String, UserSession> sessions = new LinkedHashMap<>(1_024, 0.75f, true);
  private final Set<String> changed = new HashSet<>();

  SessionCache(ValueState<UserSession> state, KeyContext keys) {
    this.state = state;
    this.keys = keys;
  }

  /** The current user's session: from here, else from state (then held here); null if the user has none. */
  UserSession get(String user) throws IOException {
    UserSession s = sessions.get(user);
    if (s == null) {
      UserSession kept = state.value();
      if (kept != null) {
        s = UserSessionSerializer.INSTANCE.copy(kept); // changed in place from now on: never the state backend's own object
        hold(user, s);
      }
    }
    return s;
  }

  /** The current user's session changed (or began): written to state before the next barrier. */
  void changed(String user, UserSession s) {
    changed.add(user);
    hold(user, s);
  }

  /** The current user's session is over: gone from here and from state. */
  void remove(String user) {
    sessions.remove(user);
    changed.remove(user);
    state.clear();
  }

  /** Writes every session changed since the last call to keyed state; the current key is restored. */
  void writeBack() {
    if (changed.isEmpty()) {
      return;
    }
    Object current = keys.getCurrentKey();
    for (String user : changed) {
      write(user, sessions.get(user));
    }
    changed.clear();
    if (current != null) {
      keys.setCurrentKey(current);
    }
  }

  private void hold(String user, UserSession s) {
    sessions.put(user, s);
    if (sessions.size() > CAPACITY) {
      Iterator<Map.Entry<String, UserSession>> eldest = sessions.entrySet().iterator();
      Map.Entry<String, UserSession> out = eldest.next();
      eldest.remove();
      if (changed.remove(out.getKey())) {
        Object current = keys.getCurrentKey();
        write(out.getKey(), out.getValue());
        keys.setCurrentKey(current);
      }
    }
  }

  private void write(String user, UserSession s) {
    keys.setCurrentKey(user);
    try {
      state.update(UserSessionSerializer.INSTANCE.copy(s)); // a heap backend keeps the object, and snapshots it asynchronously
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the session of user " + user, e);
    }
  }
}
