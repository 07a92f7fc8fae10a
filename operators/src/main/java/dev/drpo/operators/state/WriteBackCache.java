package dev.drpo.operators.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * The keyed values of the keys active since the last checkpoint, on the heap: a record reads and
 * changes its key's value here, and the values changed since are written to keyed state (RocksDB)
 * once, before the next checkpoint barrier ({@link #writeBack}, called by the operator's
 * {@code prepareSnapshotPreBarrier}, as Flink's own mini-batch operators finish a bundle), instead
 * of a state read and write per record (which, with the (de)serialization of the value, was most of
 * an operator's time). A checkpoint therefore holds every value as of its barrier; what a failure
 * loses from here was changed after the last checkpoint, and is read again from the sources. At
 * most {@code capacity} values are held: beyond, the least recently used is written to state (if
 * changed) and dropped. A value removed is removed from both at once. Writing back holds the
 * checkpoint barrier for a few microseconds per changed value (up to {@code capacity}).
 *
 * @param <V> the value; {@code copy} makes one the caller may change in place and one the state
 *     backend may keep (a heap backend keeps the object it is given and snapshots it asynchronously)
 */
public final class WriteBackCache<V> {
  private final ValueState<V> state;
  private final KeyContext keys;
  private final UnaryOperator<V> copy;
  private final int capacity;
  private final LinkedHashMap<String, V> values = new LinkedHashMap<>(1_024, 0.75f, true);
  private final Set<String> changed = new HashSet<>();

  public WriteBackCache(ValueState<V> state, KeyContext keys, UnaryOperator<V> copy, int capacity) {
    this.state = state;
    this.keys = keys;
    this.copy = copy;
    this.capacity = capacity;
  }

  /** The current key's value: from here, else from state (then held here); null if the key has none. */
  public V get(String key) throws IOException {
    V v = values.get(key);
    if (v == null) {
      V kept = state.value();
      if (kept != null) {
        v = copy.apply(kept); // never the state backend's own object
        hold(key, v);
      }
    }
    return v;
  }

  /** The current key's value changed (or began): written to state before the next barrier. */
  public void changed(String key, V v) {
    changed.add(key);
    hold(key, v);
  }

  /** The current key's value is gone: from here and from state. */
  public void remove(String key) {
    values.remove(key);
    changed.remove(key);
    state.clear();
  }

  /** Writes every value changed since the last call to keyed state; the current key is restored. */
  public void writeBack() {
    if (changed.isEmpty()) {
      return;
    }
    Object current = keys.getCurrentKey();
    for (String key : changed) {
      write(key, values.get(key));
    }
    changed.clear();
    if (current != null) {
      keys.setCurrentKey(current);
    }
  }

  private void hold(String key, V v) {
    values.put(key, v);
    if (values.size() > capacity) {
      Iterator<Map.Entry<String, V>> eldest = values.entrySet().iterator();
      Map.Entry<String, V> out = eldest.next();
      eldest.remove();
      if (changed.remove(out.getKey())) {
        Object current = keys.getCurrentKey();
        write(out.getKey(), out.getValue());
        keys.setCurrentKey(current);
      }
    }
  }

  private void write(String key, V v) {
    keys.setCurrentKey(key);
    try {
      state.update(copy.apply(v));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the state of key " + key, e);
    }
  }
}
