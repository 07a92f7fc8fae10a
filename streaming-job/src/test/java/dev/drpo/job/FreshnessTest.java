package dev.drpo.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.operators.RocksDbMiniCluster;
import dev.drpo.operators.event.DeadLetter;
import dev.drpo.operators.serve.Recommendation;
import dev.drpo.operators.train.PolicyVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users who never pause (no session ends: the gap is 30 minutes and no user comes near the 500
 * events that end a session) still teach the policy within seconds: the whole job with its default
 * settings, on a MiniCluster with RocksDB, users acting at wall-clock time.
 */
class FreshnessTest {
  static final int USERS = 20;
  static final int EVENTS_PER_SECOND = 200;

  @RegisterExtension
  static final MiniClusterExtension CLUSTER = RocksDbMiniCluster.of(1, 2);

  @Test
  void shouldLearnFromAContinuouslyActiveUserWhileTheSessionIsStillOpen(@TempDir Path dir) throws Exception {
    JobConfig config = JobConfig.defaults().with(Map.of(
        "events.user-feature-dim", String.valueOf(DrpoJobWiringTest.D), "state.history-length", "0",
        "checkpoints.directory", dir.resolve("checkpoints").toUri().toString()));
    var versions = new CollectingSink<PolicyVersion>();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(DrpoJob.flinkConfiguration(config));
    long started = System.currentTimeMillis();
    DataGeneratorSource<byte[]> activeUsers = new DataGeneratorSource<>(i -> DrpoJobWiringTest.utf8(DrpoJobWiringTest.interaction(
        "e" + i, "u" + (i % USERS), DrpoJobWiringTest.ITEMS.ids()[(int) (i % DrpoJobWiringTest.ITEMS.size())],
        System.currentTimeMillis(), (i * 7 % 10) / 10.0)), Long.MAX_VALUE, RateLimiterStrategy.perSecond(EVENTS_PER_SECOND),
        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    List<byte[]> oneRequest = List.of(DrpoJobWiringTest.utf8("{\"requestId\":\"r\",\"userId\":\"u0\",\"ts\":" + started + "}"));
    DrpoJob.build(env, new DrpoJob.Endpoints(activeUsers, DrpoJobWiringTest.bounded(oneRequest), new CollectingSink<Recommendation>(),
        versions, new CollectingSink<DeadLetter>(), null), DrpoJobWiringTest.ITEMS, config);
    JobClient job = env.executeAsync();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (versions.received().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
    } finally {
      job.cancel().get();
    }
    assertThat(versions.received()).as("a version within a minute").isNotEmpty();
    long firstVersionAt = System.currentTimeMillis();
    PolicyVersion first = versions.received().get(0);
    long eventsPerUser = (firstVersionAt - started) * EVENTS_PER_SECOND / 1000 / USERS;
    System.out.printf("first version %d ms after the job was submitted, %d samples, newest event %d ms before it; "
        + "about %d events per user by then%n", firstVersionAt - started, first.learnedSamples,
        first.createdAtMs - first.newestEventTs, eventsPerUser);
    assertThat(eventsPerUser).as("no session has ended: every user is still active and under the cap").isLessThan(500);
    assertThat(first.learnedSamples).isPositive();
    assertThat(first.newestEventTs).as("learned from events of the open sessions").isGreaterThanOrEqualTo(started);
  }
}
