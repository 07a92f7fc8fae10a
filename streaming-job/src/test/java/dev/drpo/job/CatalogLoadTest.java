package dev.drpo.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.operators.RocksDbMiniCluster;
import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.operators.catalog.CatalogLoader;
import dev.drpo.operators.event.DeadLetter;
import dev.drpo.operators.serve.Recommendation;
import dev.drpo.operators.train.PolicyVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A catalog that takes long to load (a million items take minutes) stops nothing: the whole job on
 * a MiniCluster with RocksDB and 1 s checkpoints, each scorer and encoder loading for 20 s, while
 * interactions (a fifth of them malformed) and requests flow. Checkpoints complete and dead letters
 * go out meanwhile; the requests wait for the catalog (across checkpoints) and are answered with
 * items once it is there.
 */
class CatalogLoadTest {
  static final long LOAD_MS = 20_000;

  @RegisterExtension
  static final MiniClusterExtension CLUSTER = RocksDbMiniCluster.of(1, 2);

  /** Completed checkpoints and restarts, seen by a probe in the same job (its checkpoints and restarts are the job's). */
  static final Queue<Long> CHECKPOINTS_COMPLETED_AT = new ConcurrentLinkedQueue<>();
  static final AtomicInteger PROBE_RESTARTS = new AtomicInteger();

  /** The test's catalog, loaded after a pause. */
  record SlowLoader(CatalogItems items, long pauseMs) implements CatalogLoader {
    @Override
    public int dimension() {
      return items.dimension();
    }

    @Override
    public String source() {
      return null;
    }

    @Override
    public Map<Integer, Long> loadInto(ItemCatalog catalog, Map<Integer, Long> from) throws InterruptedException {
      Thread.sleep(pauseMs);
      return items.loadInto(catalog, from);
    }
  }

  static final class Probe extends RichMapFunction<Long, Long> implements CheckpointListener {
    @Override
    public void open(OpenContext context) {
      if (getRuntimeContext().getTaskInfo().getAttemptNumber() > 0) {
        PROBE_RESTARTS.incrementAndGet();
      }
    }

    @Override
    public Long map(Long value) {
      return value;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      CHECKPOINTS_COMPLETED_AT.add(System.currentTimeMillis());
    }
  }

  @Test
  void shouldAnswerCheckpointAndDeadLetterWhileTheCatalogLoads(@TempDir Path dir) throws Exception {
    JobConfig config = JobConfig.defaults().with(Map.of(
        "events.user-feature-dim", String.valueOf(DrpoJobWiringTest.D), "state.history-length", "0",
        "checkpoints.interval", "1s", "checkpoints.directory", dir.resolve("checkpoints").toUri().toString()));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(DrpoJob.flinkConfiguration(config));
    DataGeneratorSource<byte[]> interactions = new DataGeneratorSource<>(i -> DrpoJobWiringTest.utf8(i % 5 == 0 ? "{not json"
        : DrpoJobWiringTest.interaction("e" + i, "u" + (i % 10), DrpoJobWiringTest.ITEMS.ids()[(int) (i % 20)],
            System.currentTimeMillis(), (i * 7 % 10) / 10.0)), Long.MAX_VALUE, RateLimiterStrategy.perSecond(50),
        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    DataGeneratorSource<byte[]> requests = new DataGeneratorSource<>(i -> DrpoJobWiringTest.utf8(
        "{\"requestId\":\"r" + i + "\",\"userId\":\"u" + (i % 10) + "\",\"ts\":" + System.currentTimeMillis() + "}"),
        Long.MAX_VALUE, RateLimiterStrategy.perSecond(5), PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    var answers = new CollectingSink<Recommendation>();
    var deadLetters = new CollectingSink<DeadLetter>();
    DrpoJob.build(env, new DrpoJob.Endpoints(interactions, requests, answers, new CollectingSink<PolicyVersion>(), deadLetters, null),
        new SlowLoader(DrpoJobWiringTest.ITEMS, LOAD_MS), config);
    env.fromSource(new DataGeneratorSource<>(i -> i, Long.MAX_VALUE, RateLimiterStrategy.perSecond(10), Types.LONG),
        WatermarkStrategy.noWatermarks(), "probe").map(new Probe()).sinkTo(new DiscardingSink<>());

    long submitted = System.currentTimeMillis();
    JobClient job = env.executeAsync();
    long loadedAt = -1;
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (loadedAt < 0 && System.nanoTime() < deadline) {
        loadedAt = answers.received().stream().mapToLong(r -> r.servedAtMs).min().orElse(-1);
        Thread.sleep(200);
      }
      Thread.sleep(2_000); // requests sent since are answered as they come
    } finally {
      job.cancel().get();
      while (!job.getJobStatus().get().isGloballyTerminalState()) { // no checkpoint still writes into the temporary directory
        Thread.sleep(50);
      }
    }
    long loaded = loadedAt;
    assertThat(loaded).as("answers within two minutes").isPositive();
    System.out.printf("first answer %d ms after submission; %d checkpoints completed before%n", loaded - submitted,
        CHECKPOINTS_COMPLETED_AT.stream().filter(t -> t < loaded).count());
    assertThat(loaded - submitted).as("the loads took their time").isGreaterThanOrEqualTo(LOAD_MS);
    assertThat(CHECKPOINTS_COMPLETED_AT.stream().filter(t -> t < loaded - 5_000).count())
        .as("checkpoints completed while the catalog loaded").isGreaterThanOrEqualTo(5);
    List<Recommendation> all = answers.received();
    assertThat(all).as("requests of the whole load (5/s), none answered without items")
        .hasSizeGreaterThan((int) (5 * (LOAD_MS - 5_000) / 1_000))
        .allSatisfy(r -> assertThat(r.items).isNotEmpty());
    assertThat(all.stream().filter(r -> r.ts < loaded - 5_000)).as("requests sent while it loaded were answered after it")
        .hasSizeGreaterThan((int) (5 * (LOAD_MS - 10_000) / 1_000));
    assertThat(all.stream().map(r -> r.requestId).distinct().count()).as("each once").isEqualTo(all.size());
    assertThat(deadLetters.received().stream().filter(d -> d.rejectedAtMs < loaded - 5_000))
        .as("malformed events dead-lettered while it loaded").isNotEmpty();
    assertThat(PROBE_RESTARTS.get()).as("no task restarted").isZero();
  }
}
