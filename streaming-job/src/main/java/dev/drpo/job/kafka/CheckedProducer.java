package dev.drpo.job.kafka;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A byte-array Kafka producer whose failed sends are not forgotten: every send's result is
 * checked in its callback, and {@link #flush()} (also on {@link #close()}) throws if any failed
 * since the last flush, naming how many, the topic and the first error. So a record that never
 * reached the broker is an error where it was sent, not a missing answer found later.
 */
public final class CheckedProducer implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<String> firstFailure = new AtomicReference<>();

  public CheckedProducer(Properties properties) {
    producer = new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** A producer with default settings, connected as {@code kafka} says. */
  public static CheckedProducer to(KafkaConnection kafka) {
    return new CheckedProducer(kafka.clientProperties());
  }

  public void send(String topic, byte[] key, byte[] value) {
    producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
      if (error != null) {
        failed.incrementAndGet();
        firstFailure.compareAndSet(null, topic + ": " + error);
      }
    });
  }

  public void send(String topic, byte[] value) {
    send(topic, null, value);
  }

  /** Waits for every send so far; throws if any of them failed. */
  public void flush() {
    producer.flush();
    long n = failed.getAndSet(0);
    if (n > 0) {
      throw new IllegalStateException(n + " record(s) could not be sent, the first to " + firstFailure.getAndSet(null));
    }
  }

  /** Closes without waiting for what is still unsent (after a failed {@link #flush()}: the caller sends it again). */
  public void discard() {
    producer.close(Duration.ZERO);
  }

  @Override
  public void close() {
    try {
      flush();
    } finally {
      producer.close();
    }
  }
}
