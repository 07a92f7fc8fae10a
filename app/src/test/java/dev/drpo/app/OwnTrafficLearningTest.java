package dev.drpo.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.app.demo.SimulatedUsers;
import dev.drpo.job.DrpoJob;
import dev.drpo.job.kafka.KafkaEndpoints;
import dev.drpo.operators.RocksDbMiniCluster;
import dev.drpo.simulator.UserPopulation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job learns from nothing but its own answers: no logs replayed and no request served by a
 * logging policy, so every sample it trains on is an interaction with what it served (uniform
 * random items until its first version, then its versions' answers).
 */
class OwnTrafficLearningTest {

  @RegisterExtension
  static final MiniClusterExtension CLUSTER = RocksDbMiniCluster.of(1, 2);

  @Test
  void shouldServeBetterAfterLearningFromItsOwnAnswersThanItsFirstVersionsDid(@TempDir Path dir) throws Exception {
    try (Loop loop = new Loop(dir, Map.of())) {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(DrpoJob.flinkConfiguration(loop.config));
      DrpoJob.build(env, KafkaEndpoints.create(loop.config), loop.catalog, loop.config);
      JobClient job = env.executeAsync();

      long clock = System.currentTimeMillis() - 30 * Loop.HOUR;
      UserPopulation population = loop.population(clock, 0);
      List<Double> served = new ArrayList<>();
      double late = 0;
      Map<Long, SimulatedUsers.Served> byVersion;
      try (SimulatedUsers users = loop.users(population, 0)) {
        for (int hour = 0; hour < 20; hour++) {
          clock += Loop.HOUR;
          users.tick(clock, Duration.ofSeconds(60));
          SimulatedUsers.Tally t = users.drainTally();
          served.add(t.servedNormalized());
          if (hour >= 16) {
            late += t.servedReward() / 4;
          }
        }
        assertThat(users.waiting()).as("every request answered").isZero();
        byVersion = users.servedByVersion();
      } finally {
        job.cancel().get();
      }
      // the first versions learned from a few micro-batches of answers to uniform random items, however fast the machine
      List<SimulatedUsers.Served> first = byVersion.entrySet().stream().sorted(Map.Entry.comparingByKey()).limit(3)
          .map(Map.Entry::getValue).toList();
      long firstAnswers = first.stream().mapToLong(SimulatedUsers.Served::answers).sum();
      double firstReward = first.stream().mapToDouble(v -> v.answers() * v.meanLatentReward()).sum() / firstAnswers;
      System.out.printf("served normalized by hour: %s; latent reward: first 3 versions %.3f (%d answers), last 4 hours %.3f%n",
          served.stream().map(x -> String.format("%.3f", x)).toList(), firstReward, firstAnswers, late);
      assertThat(firstAnswers).as("answers of the first versions").isPositive();
      assertThat(late).as("latent reward of the last 4 hours against the first 3 versions' answers").isGreaterThan(firstReward + 0.03);
    }
  }
}
