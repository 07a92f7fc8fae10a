package dev.drpo.app.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpo.job.kafka.CommittedRecords;
import dev.drpo.job.kafka.KafkaConnection;
import dev.drpo.job.kafka.KafkaEndpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Follows the requests and the answers on their topics while the deployment runs: when each
 * request was sent (its record's timestamp), when it was first answered, and how many answers came
 * again; and when each committed policy version was first seen. Record timestamps are the
 * producers' clocks, all on this machine.
 */
final class Traffic implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Map<String, Long> sent = new HashMap<>();
  private final Map<String, Long> answered = new HashMap<>();
  /** Committed policy versions: when this follower first saw each (read_committed, so once its transaction committed). */
  private final Map<Long, Long> versionSeen = new HashMap<>();
  private long repeats;
  private volatile boolean closed;
  private final Thread reader;

  Traffic(KafkaConnection kafka, String requestsTopic, String answersTopic, String versionsTopic) {
    KafkaConsumer<byte[], byte[]> requests = CommittedRecords.assigned(kafka, requestsTopic, false, new Properties(), Duration.ofSeconds(30));
    KafkaConsumer<byte[], byte[]> answers = CommittedRecords.assigned(kafka, answersTopic, false, new Properties(), Duration.ofSeconds(30));
    KafkaConsumer<byte[], byte[]> versions = CommittedRecords.assigned(kafka, versionsTopic, false, new Properties(), Duration.ofSeconds(30));
    reader = new Thread(() -> {
      try (requests; answers; versions) {
        while (!closed) {
          for (ConsumerRecord<byte[], byte[]> r : requests.poll(Duration.ofMillis(100))) {
            String id = requestId(r.value());
            synchronized (this) {
              sent.putIfAbsent(id, r.timestamp());
            }
          }
          for (ConsumerRecord<byte[], byte[]> r : versions.poll(Duration.ofMillis(10))) {
            long version = KafkaEndpoints.publishedVersion(r);
            long now = System.currentTimeMillis();
            synchronized (this) {
              versionSeen.putIfAbsent(version, now);
            }
          }
          for (ConsumerRecord<byte[], byte[]> r : answers.poll(Duration.ofMillis(100))) {
            String id = new String(r.key(), StandardCharsets.UTF_8);
            synchronized (this) {
              if (answered.putIfAbsent(id, r.timestamp()) != null) {
                repeats++;
              }
            }
          }
        }
      }
    }, "traffic");
    reader.setDaemon(true);
    reader.start();
  }

  /** The users' requests are JSON with a requestId (the users send no malformed requests). */
  private static String requestId(byte[] value) {
    try {
      return JSON.readTree(value).get("requestId").asText();
    } catch (IOException e) {
      throw new UncheckedIOException("a request that is not JSON: " + new String(value, StandardCharsets.UTF_8), e);
    }
  }

  synchronized int requests() {
    return sent.size();
  }

  synchronized long repeats() {
    return repeats;
  }

  synchronized long unanswered() {
    return sent.keySet().stream().filter(id -> !answered.containsKey(id)).count();
  }

  /** When the first answer after {@code t} came, if one did. */
  synchronized OptionalLong firstAnswerAfter(long t) {
    return answered.values().stream().mapToLong(Long::longValue).filter(a -> a > t).min();
  }

  /** When the first version above {@code version} was seen after {@code t}, if one was. */
  synchronized OptionalLong firstVersionAbove(long version, long t) {
    return versionSeen.entrySet().stream().filter(e -> e.getKey() > version && e.getValue() > t)
        .mapToLong(Map.Entry::getValue).min();
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    reader.join(5_000);
  }
}
