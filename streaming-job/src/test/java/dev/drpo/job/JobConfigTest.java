package dev.drpo.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drpo.model.policy.PolicyConfig;
import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.operators.filter.FilterConfig;
import dev.drpo.operators.quality.QualityConfig;
import dev.drpo.operators.train.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {

  @Test
  void theDocumentedDefaultsAreTheOperatorsDefaults() {
    JobConfig defaults = JobConfig.defaults();
    assertThat(defaults.dataPath().filter()).isEqualTo(FilterConfig.defaults());
    assertThat(defaults.dataPath().quality()).isEqualTo(QualityConfig.defaults());
    assertThat(defaults.dataPath().sessions().gapMs()).isEqualTo(30 * 60_000L);
    assertThat(defaults.trainer(64)).usingRecursiveComparison().ignoringFields("policy")
        .isEqualTo(TrainerConfig.defaults(defaults.trainer(64).policy()));
    assertThat(defaults.trainer(64).policy().stateDim()).as("no features: the state is the history encoding").isEqualTo(64);
  }

  @Test
  void theIndexIsCopiedUnderTheCheckpointsUnlessTheDurableDirectoryIsNamedOrNone() {
    JobConfig defaults = JobConfig.defaults().with(Map.of("checkpoints.directory", "s3://bucket/checkpoints/"));
    assertThat(defaults.retrieval().durableDirectory()).isEqualTo("s3://bucket/checkpoints/catalog-index/" + defaults.job().name());
    assertThat(defaults.retrieval().indexDirectory()).isEqualTo("/tmp/drpo/catalog-index/" + defaults.job().name());
    assertThat(defaults.with(Map.of("catalog.hnsw.durable-directory", "hdfs:///drpo")).retrieval().durableDirectory())
        .isEqualTo("hdfs:///drpo/" + defaults.job().name());
    assertThat(defaults.with(Map.of("catalog.hnsw.durable-directory", "none")).retrieval().durableDirectory()).isEmpty();
    assertThat(defaults.with(Map.of("catalog.hnsw.index-directory", "")).retrieval().durableDirectory())
        .as("nowhere to download to").isEmpty();
  }

  @Test
  void aMissingBundledFileIsNamed() {
    assertThatThrownBy(() -> JobConfig.read(JobConfig.class, "/no-such.yaml")).isInstanceOf(IllegalStateException.class)
        .hasMessage("the bundled /no-such.yaml is missing from the jar");
  }

  @Test
  void aFileSetsOnlyTheKeysItNamesAndOverridesComeLast(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("job.yaml");
    Files.writeString(file, "trainer:\n  batch-size: 128\nfilter:\n  weighting: drpo_exp\n");
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "sessions:\n  gap: soon\n");
    assertThatThrownBy(() -> JobConfig.load(bad, Map.of())).hasMessageStartingWith(bad + ": sessions.gap: expected a duration");

    JobConfig config = JobConfig.load(file, Map.of("trainer.batch-size", "256", "events.user-feature-dim", "8"));

    assertThat(config.trainer(16).batchSize()).isEqualTo(256);
    assertThat(config.dataPath().filter().weighting()).isEqualTo(FilterConfig.Weighting.DRPO_EXP);
    assertThat(config.trainer(16).policy().stateDim()).isEqualTo(8 + 16);
    assertThat(config.job().name()).isEqualTo("drpo");
  }

  @Test
  void anUnknownKeyIsRefusedByName() {
    assertThatThrownBy(() -> JobConfig.load(null, Map.of("trainer.batchsize", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--set: unknown setting 'trainer.batchsize' (see conf/job.yaml for every key)");
  }

  @Test
  void kafkaClientPropertiesReachEveryClientFromAFileOrOverrides(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("job.yaml");
    Files.writeString(file, """
        kafka:
          properties:
            security.protocol: SASL_SSL
            sasl.mechanism: SCRAM-SHA-512
        """);

    JobConfig config = JobConfig.load(file, Map.of("kafka.properties.ssl.truststore.type", "PEM"));

    assertThat(config.kafka().connection().clientProperties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("ssl.truststore.type", "PEM")
        .containsEntry("bootstrap.servers", "localhost:9092");
    assertThat(config.kafka().toString()).contains("[sasl.mechanism, security.protocol, ssl.truststore.type]");
    assertThatThrownBy(() -> JobConfig.load(null, Map.of("kafka.properties.value.deserializer", "x")))
        .hasMessageStartingWith("kafka.properties.value.deserializer: set by the job's record formats");
  }

  @Test
  void aBadValueIsRefusedNamingTheKeyAndWhatWasExpected() {
    assertThatThrownBy(() -> JobConfig.load(null, Map.of("trainer.batch-size", "0")))
        .hasMessage("--set: trainer.batch-size: expected an integer >= 1, got '0'");
    assertThatThrownBy(() -> JobConfig.load(null, Map.of("sessions.gap", "soon")))
        .hasMessageContaining("sessions.gap: expected a duration");
    assertThatThrownBy(() -> JobConfig.load(null, Map.of("filter.weighting", "best")))
        .hasMessageContaining("filter.weighting: expected one of [drpo, drpo_exp]");
    assertThatThrownBy(() -> JobConfig.load(null, Map.of("kafka.transaction-timeout", "5s")))
        .hasMessageContaining("kafka.transaction-timeout: expected at least checkpoints.interval");
    assertThatThrownBy(() -> JobConfig.load(null, Map.of("state.history-length", "0")))
        .hasMessageContaining("state.history-length");
    assertThatThrownBy(() -> JobConfig.load(null, Map.of("kafka.max-message-bytes", "512")))
        .hasMessage("--set: kafka.max-message-bytes: expected an integer >= 1024, got '512'");
    assertThatThrownBy(() -> JobConfig.load(null, Map.of("scorer.max-k", "5")))
        .hasMessage("--set: scorer.max-k: expected an integer >= 10, got '5'");
  }

  @Test
  void everyGroupHasATypedView() {
    JobConfig defaults = JobConfig.defaults();
    assertThat(defaults.job()).isEqualTo(new JobConfig.Job("drpo", 2));
    assertThat(defaults.kafka().maxMessageBytes()).isEqualTo(1_048_576);
    assertThat(defaults.kafka().topics().recRequests()).isEqualTo("rec-requests");
    assertThat(defaults.catalog()).isEmpty();
    assertThat(defaults.checkpoints().interval()).hasSeconds(10);
    assertThat(defaults.watermarks().idleness()).hasMinutes(1);
    assertThat(defaults.requests()).isEqualTo(new JobConfig.Requests(10, 100));
    assertThat(defaults.trainer(8).policy().backbone()).isEqualTo(PolicyConfig.Backbone.MLP_LINEAR);
    assertThat(defaults.with(Map.of("trainer.network", "mlp")).trainer(8).policy().backbone())
        .isEqualTo(PolicyConfig.Backbone.MLP);
    assertThatThrownBy(() -> defaults.with(Map.of("trainer.network", "transformer"))).hasMessageContaining("trainer.network: expected one of");
  }

  @Test
  void aPolicyVersionThatWouldNotFitInAKafkaMessageIsRefusedBeforeTheJobStarts() {
    JobConfig wide = JobConfig.load(null, Map.of("events.user-feature-dim", "128", "trainer.hidden", "512,512"));
    var env = StreamExecutionEnvironment.getExecutionEnvironment();
    var items = new CatalogItems(new String[] {"a"}, new float[][] {new float[128]});

    assertThatThrownBy(() -> DrpoJob.build(env, null, items, wide))
        .hasMessageContaining("is 1971811 bytes, more than kafka.max-message-bytes (1048576)");
  }

  @Test
  void anUnreadableFileIsAClearError(@TempDir Path dir) {
    assertThatThrownBy(() -> JobConfig.load(dir.resolve("missing.yaml"), Map.of()))
        .hasMessageContaining("cannot read config").hasMessageContaining("missing.yaml");
  }
}
