package dev.drpo.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.drpo.model.learn.Batch;
import dev.drpo.model.policy.GaussianPolicy;
import dev.drpo.model.policy.PolicyConfig;
import org.nd4j.linalg.api.buffer.DataType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WorldTest {
  static World world;

  @BeforeAll
  static void defaults() {
    world = new World(SimulatorConfig.defaults(), 1);
  }

  @Test
  void theBestItemsMeanRewardIsThePapersOptimumAndRandomItemsAreFarBelow() {
    double oracle = 0;
    for (int u : world.heldOutUsers()) {
      oracle += world.oracleReward(u);
    }
    oracle /= world.heldOutUsers().length;
    assertThat(oracle).isCloseTo(0.40, within(0.02));
    assertThat(world.loggingReward(new LoggingMix(0, 0, 1), 1)).isLessThan(0.05);
  }

  @Test
  void loggingPoliciesRankExpertOverPopularOverRandom() {
    double expert = world.loggingReward(new LoggingMix(1, 0, 0), 2);
    double popular = world.loggingReward(new LoggingMix(0, 1, 0), 2);
    double random = world.loggingReward(new LoggingMix(0, 0, 1), 2);
    assertThat(expert).isGreaterThan(2 * popular);
    assertThat(popular).isGreaterThan(2 * random);
    assertThat(world.loggingReward(LoggingMix.MEDIUM, 2)).isGreaterThan(world.loggingReward(LoggingMix.EXTREME, 2));
  }

  @Test
  void loggedRewardsAreTheLatentRewardPlusClippedNoise() {
    SplittableRandom r = new SplittableRandom(3);
    double sum = 0;
    for (int i = 0; i < 20_000; i++) {
      double logged = world.loggedReward(0, 5, r);
      assertThat(logged).isBetween(0.0, 1.0);
      sum += logged;
    }
    double latent = world.latentReward(0, 5);
    assertThat(sum / 20_000).isCloseTo(latent, within(0.05));
  }

  @Test
  void batchesCarryTheUsersNoisyStateTheItemsEmbeddingAndTheLoggedReward() {
    LoggedData logs = new LoggedData(world, LoggingMix.MEDIUM, 1_000, 4);
    Batch batch = logs.batch(32, new SplittableRandom(5));
    assertThat(batch.states().shape()).containsExactly(32, 128);
    assertThat(batch.actions().shape()).containsExactly(32, 128);
    assertThat(batch.actions().getRow(0).norm2Number().doubleValue()).isCloseTo(1.0, within(1e-5));
  }

  @Test
  void presetsAndCustomMixesParse() {
    assertThat(LoggingMix.parse("medium")).isEqualTo(LoggingMix.MEDIUM);
    assertThat(LoggingMix.parse("20/50/30").popular()).isCloseTo(0.5, within(1e-12));
    assertThat(LoggingMix.MEDIUM.withRandomShare(0.8).random()).isCloseTo(0.8, within(1e-12));
    assertThat(LoggingMix.MEDIUM.withRandomShare(0.8).expert() / LoggingMix.MEDIUM.withRandomShare(0.8).popular())
        .isCloseTo(1.0 / 6, within(1e-12));
  }

  @Test
  void aConfiguredHistoryAppendsTheEncodingOfTheUsersPastToTheState() {
    World withHistory = new World(SimulatorConfig.defaults().withDimension(16).withSize(300, 50, 10, 100).withHistory(5), 1);
    float[] s = withHistory.state(0);
    assertThat(s).hasSize(32);
    double norm = 0;
    for (int j = 16; j < 32; j++) {
      norm += s[j] * s[j];
    }
    // a reward-weighted mean of 5 unit vectors: non-zero, at most 1
    assertThat(Math.sqrt(norm)).isBetween(0.05, 1.0 + 1e-6);
  }

  @Test
  void slateEvaluationAveragesTheRetrievedItemsAgainstEachUsersBestK() {
    World small = new World(SimulatorConfig.defaults().withDimension(16).withSize(300, 50, 20, 100), 1);
    GaussianPolicy policy = new GaussianPolicy(PolicyConfig.paper(16, 16), DataType.FLOAT, 1);
    World.Evaluation top1 = small.evaluate(policy);
    World.Evaluation slate = small.evaluate(policy, 5);
    assertThat(small.evaluate(policy, 1)).isEqualTo(top1);
    assertThat(slate.oracleReward()).isLessThanOrEqualTo(top1.oracleReward());
    assertThat(slate.normalized()).isBetween(0.0, 1.0);
  }

  @Test
  void aChangeOfTasteMovesWhatUsersLikeButNotWhatTheLearnerSees() {
    World changing = new World(SimulatorConfig.defaults().withSize(500, 200, 50, 1_000), 4);
    float[] features = changing.state(0).clone();
    double oracleBefore = meanOracle(changing);
    double[] bestItemBefore = new double[changing.trainingUsers()];
    int[] bestItem = new int[changing.trainingUsers()];
    for (int u = 0; u < bestItem.length; u++) {
      bestItem[u] = changing.log(u, new LoggingMix(1, 0, 0), new SplittableRandom(u));
      bestItemBefore[u] = changing.latentReward(u, bestItem[u]);
    }

    changing.changeTastes(9);

    assertThat(changing.state(0)).containsExactly(features);
    assertThat(meanOracle(changing)).as("tastes as sharp as before, in other topics").isCloseTo(oracleBefore, within(0.03));
    double before = 0;
    double after = 0;
    for (int u = 0; u < bestItem.length; u++) {
      before += bestItemBefore[u] / bestItem.length;
      after += changing.latentReward(u, bestItem[u]) / bestItem.length;
    }
    assertThat(after).as("the items experts chose for a user before the change").isLessThan(before / 2);
  }

  static double meanOracle(World w) {
    double sum = 0;
    for (int u = 0; u < w.trainingUsers(); u++) {
      sum += w.oracleReward(u) / w.trainingUsers();
    }
    return sum;
  }
}
