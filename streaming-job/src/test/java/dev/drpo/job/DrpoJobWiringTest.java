package dev.drpo.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.operators.RocksDbMiniCluster;
import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.operators.event.DeadLetter;
import dev.drpo.operators.serve.Recommendation;
import dev.drpo.operators.train.PolicyVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's wiring without a broker: bounded in-memory inputs, collecting sinks, on a MiniCluster
 * with RocksDB. Pins the operators' uids (savepoints depend on them), that every side output of
 * rejected records reaches the dead letters, and that every request is answered once.
 */
class DrpoJobWiringTest {
  static final long NOW = System.currentTimeMillis();
  static final long SESSION_APART = 45 * 60_000L;
  static final int D = 4;
  static final int USERS = 10;
  static final CatalogItems ITEMS = catalog(20);

  @RegisterExtension
  static final MiniClusterExtension CLUSTER = RocksDbMiniCluster.of(1, 2);

  static CatalogItems catalog(int n) {
    SplittableRandom r = new SplittableRandom(1);
    String[] ids = new String[n];
    float[][] e = new float[n][D];
    for (int i = 0; i < n; i++) {
      ids[i] = "item-" + i;
      for (int j = 0; j < D; j++) {
        e[i][j] = (float) r.nextGaussian();
      }
    }
    return new CatalogItems(ids, e);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String interaction(String id, String user, String item, long ts, double reward) {
    return String.format(Locale.ROOT, "{\"eventId\":\"%s\",\"userId\":\"%s\",\"itemId\":\"%s\",\"ts\":%d,\"reward\":%.3f,"
        + "\"userFeatures\":[0.1,-0.2,0.3,0.4]}", id, user, item, ts, reward);
  }

  static DataGeneratorSource<byte[]> bounded(List<byte[]> records) {
    return new DataGeneratorSource<>(i -> records.get(i.intValue()), records.size(), PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
  }

  @Test
  void shouldAnswerEveryRequestOnceAndDeadLetterEveryRejectionUnderStableUids(@TempDir Path dir) throws Exception {
    List<byte[]> interactions = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(2);
    long start = NOW - 4 * SESSION_APART;
    for (int s = 0; s < 3; s++) {
      for (int u = 0; u < USERS; u++) {
        for (int step = 0; step < 3; step++) {
          interactions.add(utf8(interaction("e-" + s + "-" + u + "-" + step, "u" + u, ITEMS.ids()[r.nextInt(ITEMS.size())],
              start + s * SESSION_APART + step * 60_000L + u, 0.5 * r.nextDouble())));
        }
      }
    }
    // the best session there is, of two steps: the filter (kappa fixed at 1) admits all but its very first sample;
    // later than every event before it, so that no watermark can have passed it (a late event is dropped, not dead-lettered)
    long strangerAt = start + 3 * SESSION_APART;
    interactions.add(utf8(interaction("stranger-1", "stranger", "not-in-the-catalog", strangerAt, 1.0)));
    interactions.add(utf8(interaction("stranger-2", "stranger", "not-in-the-catalog", strangerAt + 60_000, 1.0)));
    interactions.add(utf8("{\"eventId\":\"broken\",\"userId\":"));
    List<byte[]> requests = new ArrayList<>();
    for (int u = 0; u < 5; u++) {
      requests.add(utf8("{\"requestId\":\"r" + u + "\",\"userId\":\"u" + u + "\",\"ts\":" + NOW + ",\"k\":3,"
          + "\"userFeatures\":[0.1,-0.2,0.3,0.4]}"));
    }
    requests.add(utf8("{\"requestId\":\"no-user\",\"ts\":" + NOW + "}"));

    JobConfig config = JobConfig.defaults().with(Map.of(
        "events.user-feature-dim", String.valueOf(D), "state.history-length", "0",
        "filter.initial-kappa", "1.0", "filter.min-kappa", "1.0", "filter.tick-samples", "1",
        "trainer.batch-size", "4", "trainer.publish-every-steps", "1", "trainer.hidden", "8",
        "checkpoints.directory", dir.resolve("checkpoints").toUri().toString()));
    var recommendations = new CollectingSink<Recommendation>();
    var versions = new CollectingSink<PolicyVersion>();
    var deadLetters = new CollectingSink<DeadLetter>();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(DrpoJob.flinkConfiguration(config));
    DrpoJob.build(env, new DrpoJob.Endpoints(bounded(interactions), bounded(requests), recommendations, versions, deadLetters, null),
        ITEMS, config);
    StreamGraph graph = env.getStreamGraph();

    assertThat(graph.getStreamNodes()).extracting(StreamNode::getTransformationUID).filteredOn(Objects::nonNull)
        .containsExactlyInAnyOrder("interactions-source", "decode-interactions", "event-time", "user-sessions",
            "hard-filter", "encode-samples", "trainer", "requests-source", "decode-requests", "scorer",
            "estimate-versions", "recommendations-sink", "policy-versions-sink", "dead-letters-sink", "fixed-catalog", "decode-items");

    env.execute(graph);

    assertThat(recommendations.received()).extracting(a -> a.requestId).containsExactlyInAnyOrder("r0", "r1", "r2", "r3", "r4");
    assertThat(recommendations.received()).allSatisfy(a -> assertThat(a.items).hasSize(3));
    Map<DeadLetter.Reason, Long> reasons = deadLetters.received().stream()
        .collect(Collectors.groupingBy(DeadLetter::code, Collectors.counting()));
    assertThat(reasons).containsEntry(DeadLetter.Reason.MALFORMED_JSON, 1L).containsEntry(DeadLetter.Reason.MISSING_FIELD, 1L)
        .hasEntrySatisfying(DeadLetter.Reason.UNKNOWN_ITEM, n -> assertThat(n).isBetween(1L, 2L)).hasSize(3);
    assertThat(versions.received()).isNotEmpty();
    assertThat(versions.received()).extracting(v -> v.version).isSorted().doesNotHaveDuplicates();
  }
}
