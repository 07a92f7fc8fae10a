package dev.drpo.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpo.job.kafka.CheckedProducer;
import dev.drpo.job.kafka.CommittedRecords;
import dev.drpo.job.kafka.KafkaConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * An outside client of the job, open-loop: requests go out on a fixed schedule whatever the
 * answers do, and each answer's latency is measured from its request's scheduled send time to its
 * arrival at this client's consumer, so a stall delays every request scheduled during it (no
 * coordinated omission). Answers are read with {@code read_committed}, as any consumer should.
 */
final class OpenLoopClient implements AutoCloseable {
  /**
   * One answered request: when it was due to be sent and how long its answer took (nanoseconds),
   * and of that, the milliseconds until the scorer answered (wall clock, the answer's servedAtMs).
   */
  record Answer(long scheduledNanos, long latencyNanos, long toScorerMs) {}

  /** A schedule's outcome. */
  record Outcome(int sent, double achievedPerS, List<Answer> answers, long unanswered, long repeated) {
    /** Latencies of the answers to requests scheduled in [from, to), in microseconds. */
    Histogram latencies(long fromNanos, long toNanos) {
      Histogram h = new Histogram(3_600_000_000L, 3);
      for (Answer a : answers) {
        if (a.scheduledNanos() >= fromNanos && a.scheduledNanos() < toNanos) {
          h.recordValue(Math.max(1, a.latencyNanos() / 1_000));
        }
      }
      return h;
    }

    /** Milliseconds from each request's scheduled send time until the scorer answered it. */
    Histogram untilScored() {
      Histogram h = new Histogram(3_600_000L, 3);
      answers.forEach(a -> h.recordValue(Math.max(0, a.toScorerMs())));
      return h;
    }
  }

  private final CheckedProducer producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String requestsTopic;
  private final Map<String, Long> waiting = new ConcurrentHashMap<>();
  /** Wall-clock milliseconds minus nanoTime / 1e6: turns a scheduled nanoTime into the wall clock's servedAtMs scale. */
  private final double wallOffsetMs = System.currentTimeMillis() - System.nanoTime() / 1e6;
  private final Set<String> answered = ConcurrentHashMap.newKeySet();
  private final List<Answer> answers = new ArrayList<>();
  private final AtomicLong repeated = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread reader;
  private final ObjectMapper json = new ObjectMapper();
  private long next;

  OpenLoopClient(KafkaConnection kafka, String requestsTopic, String recommendationsTopic) {
    Properties p = kafka.clientProperties();
    p.setProperty("linger.ms", "0");
    p.setProperty("client.id", "bench-requests"); // told apart from the job's producers in ThreadCpu
    producer = new CheckedProducer(p);
    consumer = CommittedRecords.assigned(kafka, recommendationsTopic, true, new Properties(), Duration.ofSeconds(30));
    this.requestsTopic = requestsTopic;
    reader = new Thread(this::read, "open-loop-answers");
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    while (!closed.get()) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
        long arrived = System.nanoTime();
        JsonNode answer = parse(r.value());
        String id = answer.path("requestId").asText();
        Long scheduled = waiting.remove(id);
        if (scheduled != null) {
          answered.add(id);
          long toScorer = answer.path("servedAtMs").asLong() - Math.round(scheduled / 1e6 + wallOffsetMs);
          synchronized (answers) {
            answers.add(new Answer(scheduled, arrived - scheduled, toScorer));
          }
        } else if (answered.contains(id)) {
          repeated.incrementAndGet();
        }
      }
    }
    consumer.close();
  }

  private JsonNode parse(byte[] value) {
    try {
      return json.readTree(value);
    } catch (IOException e) {
      throw new IllegalStateException("an answer that is not JSON: " + new String(value, StandardCharsets.UTF_8), e);
    }
  }

  /**
   * Sends at {@code perSecond(t)} requests per second, t the seconds since the start, for
   * {@code length}; then waits up to {@code drain} for the answers.
   *
   * @param request the request's JSON for a request id
   */
  Outcome run(Function<Double, Integer> perSecond, Duration length, Duration drain, Function<String, byte[]> request) {
    synchronized (answers) {
      answers.clear();
    }
    waiting.clear();
    answered.clear();
    repeated.set(0);
    long start = System.nanoTime();
    long end = start + length.toNanos();
    long due = start;
    int sent = 0;
    while (due < end) {
      long now = System.nanoTime();
      if (now < due) {
        LockSupport.parkNanos(due - now);
        continue;
      }
      String id = "bench-" + next++;
      waiting.put(id, due);
      producer.send(requestsTopic, request.apply(id));
      sent++;
      due += 1_000_000_000L / perSecond.apply((due - start) / 1e9);
    }
    producer.flush();
    double achieved = sent / ((System.nanoTime() - start) / 1e9);
    long drainUntil = System.nanoTime() + drain.toNanos();
    while (!waiting.isEmpty() && System.nanoTime() < drainUntil) {
      LockSupport.parkNanos(20_000_000L);
    }
    List<Answer> copy;
    synchronized (answers) {
      copy = new ArrayList<>(answers);
    }
    return new Outcome(sent, achieved, copy, waiting.size(), repeated.get());
  }

  @Override
  public void close() {
    closed.set(true);
    try {
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close();
  }
}
