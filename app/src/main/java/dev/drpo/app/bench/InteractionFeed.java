package dev.drpo.app.bench;

import dev.drpo.job.kafka.CheckedProducer;
import dev.drpo.job.kafka.KafkaConnection;
import dev.drpo.simulator.LoggingMix;
import dev.drpo.simulator.UserPopulation;
import dev.drpo.simulator.World;
import java.util.ArrayDeque;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The simulator's users' logged traffic (the "medium" logging policy) as interaction events on
 * Kafka: at a steady rate from a thread while the benchmark measures, or as a backlog written at
 * full speed before the job starts. Event times run on the population's simulated clock, which
 * starts days in the past, so no event is ahead of the wall clock.
 */
final class InteractionFeed implements AutoCloseable {
  private static final long SIMULATED_STEP_MS = 60_000;

  private final UserPopulation population;
  private final CheckedProducer producer;
  private final String topic;
  private final ArrayDeque<byte[]> ready = new ArrayDeque<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong sent = new AtomicLong();
  private long clock;
  private Thread thread;

  InteractionFeed(World world, KafkaConnection kafka, String topic, long seed) {
    clock = System.currentTimeMillis() - 7 * 24 * 3_600_000L;
    population = new UserPopulation(world, UserPopulation.Config.defaults(), clock, seed);
    Properties p = kafka.clientProperties();
    p.setProperty("linger.ms", "5");
    p.setProperty("client.id", "bench-interactions"); // told apart from the job's producers in ThreadCpu
    producer = new CheckedProducer(p);
    this.topic = topic;
  }

  private byte[] nextEvent() {
    while (ready.isEmpty()) {
      clock += SIMULATED_STEP_MS;
      if (clock > System.currentTimeMillis()) {
        throw new IllegalStateException("the simulated clock reached the wall clock: fewer events or a shorter run");
      }
      for (UserPopulation.Request r : population.requestsUntil(clock, 10)) {
        ready.add(population.logged(r, LoggingMix.MEDIUM));
      }
    }
    return ready.poll();
  }

  /** Writes {@code n} events as fast as the producer takes them. */
  void backlog(long n) {
    for (long i = 0; i < n; i++) {
      producer.send(topic, nextEvent());
    }
    producer.flush();
    sent.addAndGet(n);
  }

  /** Sends {@code perSecond} events a second from a thread until {@link #close()}. */
  void start(int perSecond) {
    thread = new Thread(() -> {
      long start = System.nanoTime();
      long done = 0;
      while (!stop.get()) {
        long due = (long) ((System.nanoTime() - start) / 1e9 * perSecond);
        for (; done < due; done++) {
          producer.send(topic, nextEvent());
        }
        sent.set(done);
        LockSupport.parkNanos(5_000_000L);
      }
    }, "interaction-feed");
    thread.setDaemon(true);
    thread.start();
  }

  long sent() {
    return sent.get();
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    if (thread != null) {
      thread.join(10_000);
    }
    producer.close();
  }
}
