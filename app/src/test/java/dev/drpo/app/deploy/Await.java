package dev.drpo.app.deploy;

import java.time.Duration;

/** Polling for a condition of the processes under test, with a deadline that names what was awaited. */
final class Await {
  private Await() {}

  interface Condition {
    boolean holds() throws Exception;
  }

  static void until(Condition condition, Duration timeout, String what) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(250);
    }
  }
}
