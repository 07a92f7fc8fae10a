package dev.drpo.app.bench;

import dev.drpo.app.demo.InJvmMetrics;
import dev.drpo.job.kafka.CommittedRecords;
import dev.drpo.job.kafka.KafkaConnection;
import dev.drpo.job.kafka.KafkaEndpoints;
import dev.drpo.operators.train.Provenance;
import java.time.Duration;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;

/**
 * Watches the policy versions of a job running in this JVM from two places, each from a thread:
 * when every scorer holds a version (the scorers' heldPolicyVersion gauges, polled every 5
 * ms; a version overtaken within one poll counts as held when its successor is), and when
 * it becomes visible on the policy-versions topic to a read_committed consumer, with the
 * provenance its record carries (creation time, and the lags of the samples it newly learned from).
 */
final class VersionWatch implements AutoCloseable {
  /** A version as the topic shows it. */
  record Published(long version, long createdAtMs, long visibleAtMs, Histogram sampleLags) {}

  private final NavigableMap<Long, Long> heldAt = new ConcurrentSkipListMap<>();
  private final Map<Long, Published> published = new ConcurrentHashMap<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Thread scorers;
  private final Thread topic;

  VersionWatch(KafkaConnection kafka, String versionsTopic) {
    scorers = new Thread(this::pollScorers, "version-watch-scorers");
    KafkaConsumer<byte[], byte[]> consumer = CommittedRecords.assigned(kafka, versionsTopic, false, new Properties(), Duration.ofSeconds(30));
    topic = new Thread(() -> readTopic(consumer), "version-watch-topic");
    scorers.setDaemon(true);
    topic.setDaemon(true);
    scorers.start();
    topic.start();
  }

  private void pollScorers() {
    long held = 0;
    while (!stop.get()) {
      double every = InJvmMetrics.min("scorer", "heldPolicyVersion");
      if (every > held) {
        long now = System.currentTimeMillis();
        for (long v = held + 1; v <= (long) every; v++) {
          heldAt.put(v, now);
        }
        held = (long) every;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void readTopic(KafkaConsumer<byte[], byte[]> consumer) {
    try (consumer) {
      while (!stop.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
          long now = System.currentTimeMillis();
          Header lags = r.headers().lastHeader("drpo.sample-lags-ms");
          long version = KafkaEndpoints.publishedVersion(r);
          published.put(version, new Published(version, r.timestamp(), now, lags == null ? null : Provenance.lags(lags.value())));
        }
      }
    }
  }

  /** When every scorer held the version, or null if they never did while watched. */
  Long heldAt(long version) {
    return heldAt.get(version);
  }

  Map<Long, Published> published() {
    return published;
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    scorers.join(5_000);
    topic.join(5_000);
  }
}
