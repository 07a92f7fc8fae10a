package dev.drpo.operators.state;

import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * A keyed function that holds its keys' values on the heap between checkpoints and writes the
 * changed ones to keyed state when told: {@link WriteBackOperator} tells it before every checkpoint
 * barrier and when its input ends.
 */
public interface WritesBack {
  /** The operator's keys, where the values are written back (given before the function opens). */
  void keysFrom(KeyContext keys);

  /** Writes every value changed since the last call to keyed state; the current key is restored. */
  void writeBack();
}
