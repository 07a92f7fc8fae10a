package dev.drpo.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.operators.estimate.ValueEstimate;
import dev.drpo.operators.train.PolicyVersion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** What the policy-versions topic's readers take from a record is what its writer put there. */
class PublishedVersionHeadersTest {

  static ConsumerRecord<byte[], byte[]> published(PolicyVersion v) {
    ProducerRecord<byte[], byte[]> written = new KafkaEndpoints.PolicyVersions("policy-versions").serialize(v, null, null);
    ConsumerRecord<byte[], byte[]> read = new ConsumerRecord<>("policy-versions", 0, 0, written.key(), written.value());
    written.headers().forEach(h -> read.headers().add(h));
    return read;
  }

  static PolicyVersion version(long number, ValueEstimate estimate) {
    PolicyVersion v = new PolicyVersion();
    v.policyName = "drpo";
    v.version = number;
    v.snapshot = new byte[] {1, 2};
    v.estimate = estimate;
    return v;
  }

  @Test
  void shouldReadBackTheVersionAndItsEstimateAsWritten() {
    ValueEstimate e = new ValueEstimate();
    e.reward = 0.41;
    e.low = 0.39;
    e.high = Double.NaN;
    e.answers = 500;
    e.effectiveAnswers = 37.5;
    e.servedReward = 0.4;

    ConsumerRecord<byte[], byte[]> record = published(version(17, e));

    assertThat(KafkaEndpoints.publishedVersion(record)).isEqualTo(17);
    assertThat(KafkaEndpoints.publishedEstimate(record)).usingRecursiveComparison()
        .withComparatorForType(Double::compare, Double.class).isEqualTo(e);
  }

  @Test
  void shouldReadNoEstimateFromAVersionPublishedWithoutOne() {
    assertThat(KafkaEndpoints.publishedEstimate(published(version(3, null)))).isNull();
  }
}
