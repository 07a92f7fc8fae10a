package dev.drpo.app.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * CPU time of this JVM's threads (the benchmarks run broker, job and clients in one JVM), read
 * from the JVM per thread ({@link ThreadMXBean#getThreadCpuTime}) at two moments and summed over
 * the threads whose names match. A thread started in between counts from zero; one that ended in
 * between is lost (none of the measured ones do).
 */
final class ThreadCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** The job's scorer task (the scorer and the answers' Kafka writer chained to it). */
  static final Predicate<String> SCORER = name -> name.startsWith("scorer");
  /**
   * The job's serving path: the requests' source task and its fetcher, the scorer task, and the
   * network thread of the answers' producer (the benchmark's own producers are named, the job's
   * at-least-once producer gets Kafka's "producer-N", an exactly-once one its transactional id).
   */
  static final Predicate<String> SERVING = SCORER.or(name -> name.contains("Source: rec-requests")
      || name.matches("kafka-producer-network-thread \\| producer-\\d+")
      || name.startsWith("kafka-producer-network-thread") && name.contains("recommendations"));
  /** The in-JVM Kafka broker and controller. */
  static final Predicate<String> BROKER = name -> name.startsWith("data-plane-kafka") || name.startsWith("kafka-")
      && !name.startsWith("kafka-producer") && !name.startsWith("kafka-coordinator") && !name.startsWith("kafka-admin")
      || name.startsWith("quorum-controller") || name.startsWith("group-coordinator") || name.startsWith("executor-")
      || name.startsWith("controller-") || name.startsWith("broker-") || name.startsWith("ExpirationReaper");

  private final Map<Long, Long> nanos = new HashMap<>();
  private final Map<Long, String> names = new HashMap<>();

  private ThreadCpu() {}

  /** Every live thread's CPU time now. */
  static ThreadCpu now() {
    if (!THREADS.isThreadCpuTimeSupported()) {
      throw new IllegalStateException("this JVM cannot measure CPU time per thread");
    }
    THREADS.setThreadCpuTimeEnabled(true);
    ThreadCpu cpu = new ThreadCpu();
    for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (t != null) {
        long ns = THREADS.getThreadCpuTime(t.getThreadId());
        if (ns >= 0) {
          cpu.nanos.put(t.getThreadId(), ns);
          cpu.names.put(t.getThreadId(), t.getThreadName());
        }
      }
    }
    return cpu;
  }

  /** CPU seconds used since {@code before} by the threads whose names {@code match}. */
  double secondsSince(ThreadCpu before, Predicate<String> match) {
    long sum = 0;
    for (Map.Entry<Long, Long> t : nanos.entrySet()) {
      if (match.test(names.get(t.getKey()))) {
        sum += t.getValue() - before.nanos.getOrDefault(t.getKey(), 0L);
      }
    }
    return sum / 1e9;
  }
}
