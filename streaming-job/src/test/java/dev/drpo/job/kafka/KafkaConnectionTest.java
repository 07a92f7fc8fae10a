package dev.drpo.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class KafkaConnectionTest {
  private static final String SECRET = "s3cr3t-Pa55";
  private static final String JAAS =
      "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"drpo\" password=\"${env:KAFKA_PASSWORD}\";";

  @Test
  void shouldResolveEnvironmentReferencesWhenAClientIsConfigured() {
    KafkaConnection kafka = KafkaConnection.of("broker:9093",
        Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.jaas.config", JAAS), Map.of("KAFKA_PASSWORD", SECRET)::get);

    assertThat(kafka.clientProperties())
        .containsEntry("bootstrap.servers", "broker:9093")
        .containsEntry("security.protocol", "SASL_PLAINTEXT")
        .containsEntry("sasl.jaas.config", JAAS.replace("${env:KAFKA_PASSWORD}", SECRET));
  }

  @Test
  void shouldCarryResolvedValuesToWhereTheVariablesAreNotSet() throws Exception {
    String literal = "pa${env:NOT_A_VARIABLE}ss";
    KafkaConnection kafka = KafkaConnection.of("broker:9093", Map.of("sasl.jaas.config", JAAS, "ssl.key.password", "${env:KEY}"),
        Map.of("KAFKA_PASSWORD", SECRET, "KEY", literal)::get);

    KafkaConnection onTaskManager = InstantiationUtil.clone(kafka.resolved()); // no environment there

    assertThat(onTaskManager.clientProperties())
        .containsEntry("sasl.jaas.config", JAAS.replace("${env:KAFKA_PASSWORD}", SECRET))
        .containsEntry("ssl.key.password", literal);
    assertThat(onTaskManager.toString()).isEqualTo("broker:9093 with [sasl.jaas.config, ssl.key.password]");
  }

  @Test
  void shouldNeverShowAValueInItsDescription() {
    KafkaConnection kafka = KafkaConnection.of("broker:9093", Map.of("sasl.jaas.config", "password=\"" + SECRET + "\""),
        Map.<String, String>of()::get);

    assertThat(kafka.toString()).isEqualTo("broker:9093 with [sasl.jaas.config]").doesNotContain(SECRET);
  }

  @Test
  void shouldNameAMissingEnvironmentVariableWithoutTheValueAroundIt() {
    assertThatThrownBy(() -> KafkaConnection.of("broker:9093", Map.of("sasl.jaas.config", JAAS), Map.<String, String>of()::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("kafka.properties.sasl.jaas.config: environment variable KAFKA_PASSWORD is not set");
  }

  @Test
  void shouldRefuseAPropertyTheJobOwnsNamingWhatOwnsIt() {
    assertThatThrownBy(() -> KafkaConnection.of("b:1", Map.of("isolation.level", "read_uncommitted")))
        .hasMessage("kafka.properties.isolation.level: set by the job: its sources read committed records only, not as a client property");
    assertThatThrownBy(() -> KafkaConnection.of("b:1", Map.of("group.id", "other")))
        .hasMessage("kafka.properties.group.id: set by kafka.group-id, not as a client property");
    assertThatThrownBy(() -> KafkaConnection.of("b:1", Map.of("transactional.id", "x")))
        .hasMessageContaining("kafka.transactional-id-prefix");
  }
}
