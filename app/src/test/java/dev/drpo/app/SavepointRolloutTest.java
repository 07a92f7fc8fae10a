package dev.drpo.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpo.app.demo.SimulatedUsers;
import dev.drpo.job.DrpoJob;
import dev.drpo.job.JobConfig;
import dev.drpo.job.kafka.KafkaEndpoints;
import dev.drpo.operators.RocksDbMiniCluster;
import dev.drpo.simulator.UserPopulation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Roll out a changed job from a savepoint and roll back to the earlier one, as an operator would
 * with {@code flink stop --savepointPath} and {@code flink run -s}: the policy versions, the hard
 * filter's state and the users' histories continue in the new job, and the earlier savepoint
 * brings back the earlier policy.
 */
class SavepointRolloutTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String[] SEEN = {"item-3", "item-14", "item-15", "item-92", "item-65"};

  @RegisterExtension
  static final MiniClusterExtension CLUSTER = RocksDbMiniCluster.of(1, 2);

  static JobClient start(Loop loop, JobConfig config, String savepoint) throws Exception {
    Configuration flink = DrpoJob.flinkConfiguration(config);
    if (savepoint != null) {
      flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    DrpoJob.build(env, KafkaEndpoints.create(config), loop.catalog, config);
    return env.executeAsync();
  }

  static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  /** The answer to a probe request for every item (k = catalog size), once it is committed. */
  static JsonNode ask(Loop loop, String requestId) throws Exception {
    return ask(loop, requestId, loop.world.catalog().size());
  }

  /** The answer to a probe request for k items, once it is committed. */
  static JsonNode ask(Loop loop, String requestId, int k) throws Exception {
    loop.send(loop.config.kafka().topics().recRequests(), String.format(
        "{\"requestId\":\"%s\",\"userId\":\"probe\",\"ts\":%d,\"k\":%d}", requestId, System.currentTimeMillis(), k)
        .getBytes(StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : loop.readAll(loop.config.kafka().topics().recommendations())) {
        if (new String(r.key(), StandardCharsets.UTF_8).equals(requestId)) {
          return JSON.readTree(r.value());
        }
      }
      Thread.sleep(300);
    }
    throw new AssertionError("no answer to " + requestId);
  }

  static List<String> items(JsonNode answer) {
    return StreamSupport.stream(answer.get("items").spliterator(), false).map(JsonNode::asText).toList();
  }

  /** The committed versions once no more arrive (a stopped job's last transaction commits as it stops). */
  static List<ConsumerRecord<byte[], byte[]>> versions(Loop loop) throws InterruptedException {
    List<ConsumerRecord<byte[], byte[]>> previous = List.of();
    List<ConsumerRecord<byte[], byte[]>> current = loop.readAll(loop.config.kafka().topics().policyVersions());
    while (current.size() != previous.size()) {
      Thread.sleep(1_000);
      previous = current;
      current = loop.readAll(loop.config.kafka().topics().policyVersions());
    }
    return current;
  }

  @Test
  void shouldContinueVersionsFilterAndHistoriesInAChangedJobAndRollBackToTheEarlierPolicy(@TempDir Path dir) throws Exception {
    try (Loop loop = new Loop(dir, Map.of("scorer.max-k", "400"))) {
      long clock = System.currentTimeMillis() - 30 * Loop.HOUR;
      UserPopulation population = loop.population(clock, 0);
      String savepoints = dir.resolve("savepoints").toUri().toString();

      JobClient first = start(loop, loop.config, null);
      long now = System.currentTimeMillis();
      loop.send(loop.config.kafka().topics().interactions(), Arrays.stream(SEEN).map(item -> String.format(
          "{\"eventId\":\"probe-%s\",\"userId\":\"probe\",\"itemId\":\"%s\",\"ts\":%d,\"reward\":1.0}", item, item, now)
          .getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new));
      try (SimulatedUsers users = loop.users(population, 1.0)) {
        users.replay(clock += 8 * Loop.HOUR);
      }
      loop.awaitRecords(loop.config.kafka().topics().policyVersions(), 3, Duration.ofSeconds(90));
      for (int i = 0; items(ask(loop, "before-" + i)).size() != loop.world.catalog().size() - SEEN.length; i++) {
        assertThat(i).as("the probe's interactions reach the scorer").isLessThan(20);
      }
      String beforeRollout = first.stopWithSavepoint(false, savepoints, SavepointFormatType.CANONICAL).get();
      List<ConsumerRecord<byte[], byte[]>> published = versions(loop);
      ConsumerRecord<byte[], byte[]> last = published.get(published.size() - 1);
      long lastVersion = Long.parseLong(header(last, "drpo.version"));
      double lastKappa = Double.parseDouble(header(last, "drpo.keep-fraction"));

      JobConfig changed = loop.config.with(Map.of(
          "filter.weighting", "drpo_exp", "trainer.learning-rate", "5.0e-4", "trainer.publish-every-steps", "2"));
      JobClient second = start(loop, changed, beforeRollout);
      JsonNode afterRestore = ask(loop, "after-rollout");
      // the restored trainer may publish before the scorer (which first loads the catalog) answers
      assertThat(afterRestore.get("policyVersion").asLong()).as("scorers restored the policy").isIn(lastVersion, lastVersion + 1, lastVersion + 2);
      assertThat(items(afterRestore)).as("the user's history was restored").doesNotContain(SEEN).hasSize(loop.world.catalog().size() - SEEN.length);
      try (SimulatedUsers users = loop.users(population, 1.0)) {
        users.replay(clock += 4 * Loop.HOUR);
      }
      loop.awaitRecords(loop.config.kafka().topics().policyVersions(), published.size() + 2, Duration.ofSeconds(90));
      List<ConsumerRecord<byte[], byte[]>> all = loop.readAll(loop.config.kafka().topics().policyVersions());
      List<ConsumerRecord<byte[], byte[]>> continued = all.subList(published.size(), all.size());
      assertThat(Long.parseLong(header(continued.get(0), "drpo.version"))).as("the version sequence continues").isEqualTo(lastVersion + 1);
      assertThat(Long.parseLong(header(continued.get(0), "drpo.steps"))).isGreaterThan(Long.parseLong(header(last, "drpo.steps")));
      assertThat(lastKappa).as("the filter had moved away from its initial kappa 0.5").isLessThan(0.4);
      assertThat(Double.parseDouble(header(continued.get(0), "drpo.keep-fraction")))
          .as("the restored filter continues from its kappa instead of starting over")
          .isCloseTo(lastKappa, offset(0.1));
      long laterVersion = Long.parseLong(header(continued.get(continued.size() - 1), "drpo.version"));
      second.stopWithSavepoint(false, savepoints, SavepointFormatType.CANONICAL).get();
      int beforeRollback = versions(loop).size();

      JobClient rolledBack = start(loop, loop.config, beforeRollout);
      JsonNode afterRollback = ask(loop, "after-rollback");
      assertThat(laterVersion).isGreaterThan(lastVersion);
      loop.awaitRecords(loop.config.kafka().topics().policyVersions(), beforeRollback + 1, Duration.ofSeconds(90));
      List<ConsumerRecord<byte[], byte[]>> allVersions = loop.readAll(loop.config.kafka().topics().policyVersions()); // read once: the job goes on publishing
      List<ConsumerRecord<byte[], byte[]>> afterRollbackVersions = allVersions.subList(beforeRollback, allVersions.size());
      assertThat(Long.parseLong(header(afterRollbackVersions.get(0), "drpo.version")))
          .as("rolling back continues the earlier policy, not the rolled-out one").isEqualTo(lastVersion + 1);
      assertThat(afterRollback.get("policyVersion").asLong()).as("rolling back serves the earlier policy or its successors")
          .isBetween(lastVersion, lastVersion + afterRollbackVersions.size());
      rolledBack.cancel().get();
    }
  }
}
