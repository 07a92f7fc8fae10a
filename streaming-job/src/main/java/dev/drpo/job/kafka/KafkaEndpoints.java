package dev.drpo.job.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpo.job.DrpoJob;
import dev.drpo.job.JobConfig;
import dev.drpo.operators.catalog.ItemRecord;
import dev.drpo.operators.event.DeadLetter;
import dev.drpo.operators.serve.Recommendation;
import dev.drpo.operators.estimate.ValueEstimate;
import dev.drpo.operators.train.PolicyVersion;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The job's Kafka endpoints. Sources read committed records only and commit their offsets with
 * checkpoints. Each sink has its delivery ({@code kafka.delivery.*}): exactly-once sinks write in
 * Kafka transactions committed with each checkpoint, so a consumer with
 * {@code isolation.level=read_committed} sees every output once, after the checkpoint that covers
 * it; at-least-once sinks write as they go (flushed at every checkpoint), so a consumer sees an
 * output at once and, after a failure, possibly twice. Record formats (README "Topics and schemas"):
 * <ul>
 *   <li>recommendations: key requestId, value {@link Recommendation} as JSON;
 *   <li>policy-versions: key policy name, value the serving snapshot in the model's codec, record
 *       timestamp the version's creation, headers drpo.version, drpo.steps, drpo.samples,
 *       drpo.keep-fraction, drpo.threshold, and its provenance drpo.learned-samples,
 *       drpo.oldest-event-ts, drpo.newest-event-ts, drpo.oldest-append-ms, drpo.newest-append-ms
 *       (decimal strings; -1 unknown) and drpo.sample-lags-ms (an HdrHistogram, compressed; absent when unknown);
 *       with an off-policy estimate of its value ({@code ValueEstimate}) drpo.estimated-reward,
 *       drpo.estimate-low, drpo.estimate-high, drpo.estimate-answers,
 *       drpo.estimate-effective-answers, drpo.window-reward (absent without one);
 *   <li>items (in): key itemId, value {@code {"itemId","embedding"}} or null (a delete), read from
 *       the job's start (less {@code catalog.clock-skew}) when it starts without state;
 *   <li>dead-letters: value the rejected record's raw bytes, headers drpo.reason, drpo.source,
 *       drpo.rejected-at-ms.
 * </ul>
 */
public final class KafkaEndpoints {
  private KafkaEndpoints() {}

  public static DrpoJob.Endpoints create(JobConfig config) {
    JobConfig.Kafka kafka = config.kafka();
    return new DrpoJob.Endpoints(
        source(kafka, kafka.topics().interactions(), new Properties()),
        source(kafka, kafka.topics().recRequests(), properties("fetch.max.wait.ms", kafka.requestsFetchWait().toMillis())),
        sink(kafka, "recommendations", new Recommendations(kafka.topics().recommendations()), kafka.delivery().recommendations(),
            properties("linger.ms", kafka.recommendationsLinger().toMillis())),
        sink(kafka, "policy-versions", new PolicyVersions(kafka.topics().policyVersions()), kafka.delivery().policyVersions(),
            new Properties()),
        sink(kafka, "dead-letters", new DeadLetters(kafka.topics().deadLetters()), kafka.delivery().deadLetters(), new Properties()),
        config.catalog().isPresent() ? null : items(kafka, System.currentTimeMillis() - config.catalogClockSkew().toMillis()));
  }

  /**
   * The items topic from the first record written at or after {@code fromMs} (a restore resumes
   * from the checkpointed offsets instead). Every instance loads the topic to its end when it opens,
   * which is after the job was built, and skips the updates its load covered; starting at the
   * topic's beginning would only send every item once more through the decoder and to every
   * instance, to be skipped (at a million items, tens of seconds before the first new update). A
   * record whose timestamp lags the job's clock by more than {@code catalog.clock-skew} when the
   * job starts without state could be missed by both the loads and the source.
   */
  static KafkaSource<ItemRecord> items(JobConfig.Kafka kafka, long fromMs) {
    return KafkaSource.<ItemRecord>builder()
        .setBootstrapServers(kafka.bootstrapServers())
        .setTopics(kafka.topics().items())
        .setGroupId(kafka.groupId())
        .setStartingOffsets(OffsetsInitializer.timestamp(fromMs))
        .setDeserializer(new ItemRecords())
        .setProperty("isolation.level", "read_committed")
        .setProperty("partition.discovery.interval.ms", "60000")
        .setProperties(kafka.connection().clientProperties())
        .build();
  }

  /** Key, value (null for a delete), partition and offset of each items record. */
  static final class ItemRecords implements KafkaRecordDeserializationSchema<ItemRecord> {
    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ItemRecord> out) {
      out.collect(new ItemRecord(record.key(), record.value(), record.partition(), record.offset()));
    }

    @Override
    public TypeInformation<ItemRecord> getProducedType() {
      return TypeInformation.of(ItemRecord.class);
    }
  }

  private static Properties properties(String key, long value) {
    Properties p = new Properties();
    p.setProperty(key, String.valueOf(value));
    return p;
  }

  static KafkaSource<byte[]> source(JobConfig.Kafka kafka, String topic, Properties consumer) {
    OffsetResetStrategy reset = kafka.startingOffsets() == JobConfig.StartingOffsets.EARLIEST
        ? OffsetResetStrategy.EARLIEST : OffsetResetStrategy.LATEST;
    Properties properties = kafka.connection().clientProperties();
    properties.putAll(consumer);
    return KafkaSource.<byte[]>builder()
        .setBootstrapServers(kafka.bootstrapServers())
        .setTopics(topic)
        .setGroupId(kafka.groupId())
        .setStartingOffsets(OffsetsInitializer.committedOffsets(reset))
        .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(ByteArrayDeserializer.class))
        .setProperty("isolation.level", "read_committed")
        .setProperty("partition.discovery.interval.ms", "60000")
        .setProperties(properties)
        .build();
  }

  static <T> KafkaSink<T> sink(JobConfig.Kafka kafka, String name, KafkaRecordSerializationSchema<T> records,
      JobConfig.Delivery delivery, Properties own) {
    Properties producer = kafka.connection().clientProperties();
    producer.putAll(own);
    producer.setProperty("transaction.timeout.ms", String.valueOf(kafka.transactionTimeout().toMillis()));
    producer.setProperty("max.request.size", String.valueOf(kafka.maxMessageBytes()));
    producer.putIfAbsent("compression.type", "zstd");
    return KafkaSink.<T>builder()
        .setBootstrapServers(kafka.bootstrapServers())
        .setRecordSerializer(records)
        .setDeliveryGuarantee(delivery == JobConfig.Delivery.EXACTLY_ONCE ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
        .setTransactionalIdPrefix(kafka.transactionalIdPrefix() + "-" + name)
        .setKafkaProducerConfig(producer)
        .build();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** JSON answers keyed by requestId. */
  static final class Recommendations implements KafkaRecordSerializationSchema<Recommendation> {
    private final String topic;
    private transient ObjectMapper json;

    Recommendations(String topic) {
      this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Recommendation r, KafkaSinkContext context, Long timestamp) {
      if (json == null) {
        json = new ObjectMapper();
      }
      try {
        return new ProducerRecord<>(topic, utf8(r.requestId), json.writeValueAsBytes(r));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write recommendation " + r.requestId, e);
      }
    }
  }

  /** Codec bytes keyed by policy name, lineage in headers. */
  static final class PolicyVersions implements KafkaRecordSerializationSchema<PolicyVersion> {
    private final String topic;

    PolicyVersions(String topic) {
      this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(PolicyVersion v, KafkaSinkContext context, Long timestamp) {
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, v.createdAtMs, utf8(v.policyName), v.snapshot);
      record.headers().add(new RecordHeader("drpo.version", utf8(Long.toString(v.version))));
      record.headers().add(new RecordHeader("drpo.steps", utf8(Long.toString(v.steps))));
      record.headers().add(new RecordHeader("drpo.samples", utf8(Long.toString(v.samples))));
      record.headers().add(new RecordHeader("drpo.keep-fraction", utf8(Double.toString(v.keepFraction))));
      record.headers().add(new RecordHeader("drpo.threshold", utf8(Double.toString(v.threshold))));
      record.headers().add(new RecordHeader("drpo.learned-samples", utf8(Long.toString(v.learnedSamples))));
      record.headers().add(new RecordHeader("drpo.oldest-event-ts", utf8(Long.toString(v.oldestEventTs))));
      record.headers().add(new RecordHeader("drpo.newest-event-ts", utf8(Long.toString(v.newestEventTs))));
      record.headers().add(new RecordHeader("drpo.oldest-append-ms", utf8(Long.toString(v.oldestAppendMs))));
      record.headers().add(new RecordHeader("drpo.newest-append-ms", utf8(Long.toString(v.newestAppendMs))));
      if (v.sampleLags != null) {
        record.headers().add(new RecordHeader("drpo.sample-lags-ms", v.sampleLags));
      }
      if (v.estimate != null) {
        record.headers().add(new RecordHeader("drpo.estimated-reward", utf8(Double.toString(v.estimate.reward))));
        record.headers().add(new RecordHeader("drpo.estimate-low", utf8(Double.toString(v.estimate.low))));
        record.headers().add(new RecordHeader("drpo.estimate-high", utf8(Double.toString(v.estimate.high))));
        record.headers().add(new RecordHeader("drpo.estimate-answers", utf8(Integer.toString(v.estimate.answers))));
        record.headers().add(new RecordHeader("drpo.estimate-effective-answers", utf8(Double.toString(v.estimate.effectiveAnswers))));
        record.headers().add(new RecordHeader("drpo.window-reward", utf8(Double.toString(v.estimate.servedReward))));
      }
      return record;
    }
  }

  /** A policy-versions record's drpo.version, as {@link PolicyVersions} writes it. */
  public static long publishedVersion(ConsumerRecord<byte[], byte[]> record) {
    return Long.parseLong(header(record, "drpo.version"));
  }

  /** A policy-versions record's off-policy estimate (its drpo.estimate-* headers); null when it has none. */
  public static ValueEstimate publishedEstimate(ConsumerRecord<byte[], byte[]> record) {
    if (record.headers().lastHeader("drpo.estimated-reward") == null) {
      return null;
    }
    ValueEstimate e = new ValueEstimate();
    e.reward = Double.parseDouble(header(record, "drpo.estimated-reward"));
    e.low = Double.parseDouble(header(record, "drpo.estimate-low"));
    e.high = Double.parseDouble(header(record, "drpo.estimate-high"));
    e.answers = Integer.parseInt(header(record, "drpo.estimate-answers"));
    e.effectiveAnswers = Double.parseDouble(header(record, "drpo.estimate-effective-answers"));
    e.servedReward = Double.parseDouble(header(record, "drpo.window-reward"));
    return e;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  /** The raw record as it was read, the reason in headers. */
  static final class DeadLetters implements KafkaRecordSerializationSchema<DeadLetter> {
    private final String topic;

    DeadLetters(String topic) {
      this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, d.raw);
      record.headers().add(new RecordHeader("drpo.reason", utf8(d.reason)));
      record.headers().add(new RecordHeader("drpo.source", utf8(d.source)));
      record.headers().add(new RecordHeader("drpo.rejected-at-ms", utf8(Long.toString(d.rejectedAtMs))));
      return record;
    }
  }
}
