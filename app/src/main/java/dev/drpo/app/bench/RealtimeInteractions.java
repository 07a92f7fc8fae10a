package dev.drpo.app.bench;

import dev.drpo.job.kafka.CheckedProducer;
import dev.drpo.job.kafka.KafkaConnection;
import dev.drpo.simulator.LoggingMix;
import dev.drpo.simulator.UserPopulation;
import dev.drpo.simulator.World;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulator's users acting at wall-clock time, from a thread: every training user every
 * {@code intervalMs}, without pauses, each interaction served by the "medium" logging policy and
 * stamped with the time it happens (it is sent then), so the rate is users / interval.
 */
final class RealtimeInteractions implements AutoCloseable {
  private final UserPopulation population;
  private final CheckedProducer producer;
  private final String topic;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong sent = new AtomicLong();
  private final Thread thread;

  RealtimeInteractions(World world, KafkaConnection kafka, String topic, long intervalMs, long seed) {
    population = new UserPopulation(world, UserPopulation.Config.continuous(intervalMs), System.currentTimeMillis(), seed);
    Properties p = kafka.clientProperties();
    p.setProperty("linger.ms", "5");
    p.setProperty("client.id", "bench-realtime-interactions"); // told apart from the job's producers in ThreadCpu
    producer = new CheckedProducer(p);
    this.topic = topic;
    thread = new Thread(this::send, "realtime-interactions");
    thread.setDaemon(true);
    thread.start();
  }

  private void send() {
    while (!stop.get()) {
      // a user's interaction happens a second after its request (UserPopulation): send each as it happens
      for (UserPopulation.Request r : population.requestsUntil(System.currentTimeMillis() - 1_000, 10)) {
        producer.send(topic, population.logged(r, LoggingMix.MEDIUM));
        sent.incrementAndGet();
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  long sent() {
    return sent.get();
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.join(10_000);
    producer.close();
  }
}
