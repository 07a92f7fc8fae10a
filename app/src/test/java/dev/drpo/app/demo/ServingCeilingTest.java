package dev.drpo.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.simulator.SimulatorConfig;
import dev.drpo.simulator.World;
import org.junit.jupiter.api.Test;

class ServingCeilingTest {
  static final World WORLD = new World(SimulatorConfig.defaults().withDimension(16).withSize(300, 40, 20, 1_000), 3);

  @Test
  void shouldServeTheOraclesBestItemUntilItsOwnAnswersExcludeIt() {
    ServingCeiling ceiling = new ServingCeiling(WORLD, 2);
    int user = 5;
    int best = ceiling.oracle(user);
    assertThat(best).isEqualTo(WORLD.oracleItem(user));

    ceiling.consumed(user, best, ceiling.linear(user));
    int second = ceiling.oracle(user);
    assertThat(second).isNotEqualTo(best);
    assertThat(WORLD.latentReward(user, second)).isLessThanOrEqualTo(WORLD.latentReward(user, best));
    ceiling.consumed(user, second, ceiling.linear(user));
    int third = ceiling.oracle(user);
    assertThat(third).isNotIn(best, second);

    ceiling.consumed(user, third, ceiling.linear(user));
    assertThat(ceiling.oracle(user)).as("two items excluded at most: the best is back").isEqualTo(best);
  }

  @Test
  void shouldKeepEachOraclesHistoryApartAndLeaveOtherUsersAlone() {
    ServingCeiling ceiling = new ServingCeiling(WORLD, 3);
    int oracleFirst = ceiling.oracle(7);
    int linearFirst = ceiling.linear(7);
    int anotherUsers = ceiling.oracle(8);
    ceiling.consumed(7, oracleFirst, linearFirst);
    ceiling.consumed(7, oracleFirst, linearFirst);

    assertThat(ceiling.oracle(7)).isNotEqualTo(oracleFirst);
    assertThat(ceiling.linear(7)).isNotEqualTo(linearFirst);
    assertThat(ceiling.oracle(8)).isEqualTo(anotherUsers);
  }

  @Test
  void shouldFitALinearOracleThatServesTheTrainingUsersNearlyAsWellAsTheOracle() {
    ServingCeiling ceiling = new ServingCeiling(WORLD, 0);
    double linear = 0;
    double oracle = 0;
    for (int u = 0; u < WORLD.trainingUsers(); u++) {
      linear += WORLD.latentReward(u, ceiling.linear(u));
      oracle += WORLD.oracleReward(u);
    }
    assertThat(linear / oracle).isBetween(0.85, 1.0);
  }
}
