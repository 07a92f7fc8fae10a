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
      int firstVersionHour = -1;
      try (SimulatedUsers users = loop.users(population, 0)) {
        for (int hour = 0; hour < 20; hour++) {
          clock += Loop.HOUR;
          users.tick(clock, Duration.ofSeconds(60));
          SimulatedUsers.Tally t = users.drainTally();
          served.add(t.servedNormalized());
          if (firstVersionHour < 0 && t.fallbacks == 0) {
            firstVersionHour = hour;
          }
        }
        assertThat(users.waiting()).as("every request answered").isZero();
      } finally {
        job.cancel().get();
      }
      assertThat(firstVersionHour).as("an hour served by versions alone").isBetween(0, 10);
      double first = served.get(firstVersionHour);
      double late = served.subList(16, 20).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      System.out.printf("served normalized by hour: %s; first hour served by versions alone: %d (%.3f); last 4 hours %.3f%n",
          served.stream().map(x -> String.format("%.3f", x)).toList(), firstVersionHour, first, late);
      assertThat(late).as("the last 4 hours against the first hour its versions served alone").isGreaterThan(first + 0.05);
    }
  }
}
