package dev.drpo.job;

import dev.drpo.model.snapshot.PolicySnapshot;
import dev.drpo.model.snapshot.PolicySnapshotCodec;
import dev.drpo.operators.DataPath;
import dev.drpo.operators.catalog.CatalogLoader;
import dev.drpo.operators.catalog.CatalogUpdate;
import dev.drpo.operators.catalog.CatalogUpdateDecoder;
import dev.drpo.operators.catalog.ItemRecord;
import dev.drpo.operators.event.DeadLetter;
import dev.drpo.operators.event.RecRequest;
import dev.drpo.operators.event.RequestDecoder;
import dev.drpo.operators.filter.TrainingSample;
import dev.drpo.operators.estimate.VersionValueEstimator;
import dev.drpo.operators.filter.TrainingStateEncoder;
import dev.drpo.operators.serve.Recommendation;
import dev.drpo.operators.serve.RecommendationScorer;
import dev.drpo.operators.serve.ScorerOperator;
import dev.drpo.operators.serve.ServingUpdate;
import dev.drpo.operators.serve.UserInput;
import dev.drpo.operators.train.MicroBatchTrainer;
import dev.drpo.operators.train.PolicyVersion;
import dev.drpo.operators.train.TrainerConfig;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * The DRPO job. It takes its sources and sinks as arguments, so tests and the demo run the same
 * pipeline as a deployment:
 * <pre>
 * interactions -> {@link DataPath} (decode, sessions, quality, hard filter) -> encode s, a
 *              -> keyBy(policy) -> micro-batch trainer (p = 1) -> policy versions
 *                                                                      | broadcast
 * rec-requests -> decode -> keyBy(user) ------------------------------> scorer --> recommendations
 * interactions (decoded) -> keyBy(user) ------------------------------> scorer (history)
 *    scorer --answers with propensities--> estimate each version's value (p = 1) <-- policy versions
 *           --> policy versions sink
 * items (compacted) -> decode -> broadcast -> encode s, a, scorer and estimator (catalog updates)
 * rejected records of every stage -------------------------------------------> dead letters
 * </pre>
 * Every stateful operator has a stable uid: savepoints map state to operators by it.
 */
public final class DrpoJob {

  /** Where the job reads and writes. */
  public record Endpoints(
      Source<byte[], ?, ?> interactions,
      Source<byte[], ?, ?> requests,
      Sink<Recommendation> recommendations,
      Sink<PolicyVersion> policyVersions,
      Sink<DeadLetter> deadLetters,
      /** The items topic's records; null for a fixed catalog (catalog.file), which never changes. */
      Source<ItemRecord, ?, ?> items) {}

  private DrpoJob() {}

  /**
   * Adds the job's pipeline to {@code env}.
   *
   * @param catalog what each scorer and encoder instance loads when it opens; the job graph holds
   *     where to read the catalog, never the catalog
   */
  public static void build(StreamExecutionEnvironment env, Endpoints io, CatalogLoader catalog, JobConfig config) {
    TrainerConfig trainer = config.trainer(catalog.dimension());
    int versionBytes = PolicySnapshotCodec.encodedSize(trainer.policy(), PolicySnapshot.Precision.FLOAT32, false);
    int maxMessageBytes = config.kafka().maxMessageBytes();
    if (versionBytes > maxMessageBytes) {
      throw new IllegalArgumentException("a policy version of this network (" + trainer.policy() + ") is " + versionBytes
          + " bytes, more than kafka.max-message-bytes (" + maxMessageBytes + "): raise it together"
          + " with the policy-versions topic's max.message.bytes, or use a smaller network");
    }
    Source<byte[], ?, ?> interactionsSource = config.interactionsMaxRate() > 0
        ? new RateLimitedSource<>(io.interactions(), config.interactionsMaxRate()) : io.interactions();
    // the serving path flushes its network buffers every scorer.buffer-timeout, not when they fill
    long servingBuffers = config.serving().bufferTimeout().toMillis();
    SingleOutputStreamOperator<CatalogUpdate> catalogUpdates = catalogUpdates(env, io, catalog.dimension(), servingBuffers);
    DataStream<byte[]> interactions = env.fromSource(interactionsSource, WatermarkStrategy.noWatermarks(), "interactions",
        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO).uid("interactions-source");
    DataPath.Streams path = DataPath.build(interactions,
        DataPath.watermarks(config.watermarks().outOfOrderness(), config.watermarks().idleness()), config.dataPath());

    SingleOutputStreamOperator<TrainingSample> encoded = path.admitted()
        .connect(catalogUpdates.broadcast())
        .transform("encode state and action", TypeInformation.of(TrainingSample.class),
            new TrainingStateEncoder(catalog, config.retrieval(), config.userFeatureDim(), config.historyLength()))
        .uid("encode-samples");
    String policyName = trainer.policyName();
    SingleOutputStreamOperator<PolicyVersion> versions = encoded
        .keyBy(sample -> policyName)
        .process(new MicroBatchTrainer(trainer))
        .uid("trainer").name("micro-batch trainer")
        .setParallelism(1);

    SingleOutputStreamOperator<RecRequest> requests = env
        .fromSource(io.requests(), WatermarkStrategy.noWatermarks(), "rec-requests").uid("requests-source")
        .setBufferTimeout(servingBuffers)
        .process(new RequestDecoder(config.decoder(config.kafka().topics().recRequests()), config.requests().defaultK(),
            config.requests().maxK()))
        .uid("decode-requests").name("decode and validate requests").setBufferTimeout(servingBuffers);
    DataStream<UserInput> users = path.events().map(UserInput::of).name("history input")
        .union(requests.map(UserInput::of).name("request input").setBufferTimeout(servingBuffers));
    DataStream<ServingUpdate> servingUpdates = versions.map(ServingUpdate::of).name("policy versions to scorers")
        .setParallelism(1)
        .union(catalogUpdates.map(ServingUpdate::of).name("catalog updates to scorers").setParallelism(1)
            .setBufferTimeout(servingBuffers));
    SingleOutputStreamOperator<Recommendation> recommendations = users
        .keyBy(UserInput::userId)
        .connect(servingUpdates.broadcast())
        .transform("scorer", TypeInformation.of(Recommendation.class), new ScorerOperator(config.scorer(), catalog))
        .uid("scorer").setBufferTimeout(servingBuffers);
    SingleOutputStreamOperator<PolicyVersion> estimated = recommendations.getSideOutput(RecommendationScorer.LOGGED_CHOICES)
        .connect(servingUpdates)
        .transform("estimate each version's value", TypeInformation.of(PolicyVersion.class),
            new VersionValueEstimator(config.scorer(), catalog, config.estimateWindow()))
        .uid("estimate-versions").setParallelism(1);

    recommendations.sinkTo(io.recommendations()).uid("recommendations-sink").name("recommendations");
    estimated.sinkTo(io.policyVersions()).uid("policy-versions-sink").name("policy versions").setParallelism(1);
    path.deadLetters()
        .union(requests.getSideOutput(RequestDecoder.DEAD_LETTERS), encoded.getSideOutput(TrainingStateEncoder.DEAD_LETTERS),
            catalogUpdates.getSideOutput(CatalogUpdateDecoder.DEAD_LETTERS))
        .sinkTo(io.deadLetters()).uid("dead-letters-sink").name("dead letters");
  }

  /**
   * The catalog's changes, decoded (one instance: a catalog changes far less often than users act).
   * A fixed catalog has none: an input that ends at once.
   */
  private static SingleOutputStreamOperator<CatalogUpdate> catalogUpdates(StreamExecutionEnvironment env, Endpoints io,
      int dimension, long bufferTimeoutMs) {
    DataStream<ItemRecord> records = io.items() == null
        ? env.fromSequence(0, 0).setParallelism(1).uid("fixed-catalog").name("fixed catalog: no items source")
            .flatMap((Long none, Collector<ItemRecord> out) -> { }).returns(ItemRecord.class).setParallelism(1).name("no catalog updates")
        : env.fromSource(io.items(), WatermarkStrategy.noWatermarks(), "items").uid("items-source").setParallelism(1)
            .setBufferTimeout(bufferTimeoutMs);
    return records.process(new CatalogUpdateDecoder(dimension)).uid("decode-items").name("decode catalog updates").setParallelism(1)
        .setBufferTimeout(bufferTimeoutMs);
  }

  /**
   * The Flink settings the job needs: RocksDB with incremental checkpoints, exactly-once
   * checkpoints every {@code checkpoints.interval}, retained on cancellation, and no Kryo fallback.
   */
  public static Configuration flinkConfiguration(JobConfig config) {
    JobConfig.Checkpoints checkpoints = config.checkpoints();
    Configuration flink = new Configuration();
    flink.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    flink.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, checkpoints.incremental());
    flink.set(CheckpointingOptions.ENABLE_UNALIGNED, checkpoints.unaligned());
    flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpoints.interval());
    flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.directory());
    flink.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, checkpoints.savepointDirectory());
    flink.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    flink.set(PipelineOptions.GENERIC_TYPES, false);
    flink.set(PipelineOptions.NAME, config.job().name());
    flink.set(CoreOptions.DEFAULT_PARALLELISM, config.job().parallelism());
    return flink;
  }
}
