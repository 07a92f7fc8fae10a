package dev.drpo.model.learn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.model.catalog.ItemCatalog.Similarity;
import dev.drpo.model.filter.BatchTopP;
import dev.drpo.model.filter.KeepFractionController;
import dev.drpo.model.objective.Apg;
import dev.drpo.model.objective.Bc;
import dev.drpo.model.objective.Drpo;
import dev.drpo.model.objective.Objective;
import dev.drpo.model.policy.GaussianPolicy;
import dev.drpo.model.policy.PolicyConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A small contextual bandit whose logs are mostly bad: 15% of logged actions come from an expert
 * (an item close to the user's latent interest), 85% from a popularity policy that shows the same
 * few items to everyone. Same data, same steps, same network for every method.
 */
class LearningTest {
  static final int D = 8;
  static final int ITEMS = 200;
  static final int STEPS = 300;
  static final int BATCH = 128;
  static final double DELTA = 0.35;
  static final PolicyConfig CONFIG = new PolicyConfig(D, new int[] {32, 32}, D, -5, 1, -1, 3e-3);

  static ItemCatalog catalog;
  static float[][] trainUsers;
  static float[][] testUsers;

  @BeforeAll
  static void world() {
    SplittableRandom r = new SplittableRandom(42);
    List<String> ids = new ArrayList<>();
    float[][] items = new float[ITEMS][];
    for (int i = 0; i < ITEMS; i++) {
      ids.add("i" + i);
      items[i] = gaussian(r, 1.0);
    }
    catalog = new ItemCatalog(ids, items);
    trainUsers = users(r, 2_000);
    testUsers = users(r, 300);
  }

  @Test
  void drpoLearnsFromMostlyBadLogsWhereBcAndApgDoNot() {
    Run drpo = train(new Drpo("DRPO", new BatchTopP(KeepFractionController.paper())), DivergenceGuard.defaults());
    Run bc = train(new Bc(), DivergenceGuard.defaults());
    Run apg = train(new Apg(), DivergenceGuard.finiteOnly());
    double logging = loggingPolicyReward();

    System.out.printf("true reward: logging %.3f, DRPO %.3f, BC %.3f, APG %.3f; mu norm: DRPO %.2f -> %.2f, APG %.2f -> %.2f%n",
        logging, drpo.reward, bc.reward, apg.reward, drpo.firstNorm, drpo.lastNorm, apg.firstNorm, apg.lastNorm);
    assertThat(drpo.reward).isGreaterThan(bc.reward + 0.1);
    assertThat(drpo.reward).isGreaterThan(apg.reward + 0.1);
    assertThat(drpo.reward).isGreaterThan(logging + 0.1);
    assertThat(apg.lastNorm).as("APG's output intensity grows").isGreaterThan(5 * apg.firstNorm);
    assertThat(drpo.lastNorm).as("DRPO's stays bounded").isLessThan(3.0);
  }

  record Run(double reward, double firstNorm, double lastNorm) {}

  static Run train(Objective objective, DivergenceGuard guard) {
    PolicyLearner learner = new PolicyLearner(new GaussianPolicy(CONFIG, DataType.FLOAT, 7), objective, guard);
    SplittableRandom r = new SplittableRandom(11);
    double first = Double.NaN;
    double last = Double.NaN;
    for (int step = 0; step < STEPS; step++) {
      StepResult result = learner.step(loggedBatch(r));
      if (step == 0) {
        first = result.meanNorm();
      }
      last = result.meanNorm();
    }
    return new Run(servedReward(learner.policy()), first, last);
  }

  /** Mean latent reward of the top-1 item retrieved for mu(s) of held-out users. */
  static double servedReward(GaussianPolicy policy) {
    var rankings = catalog.topK(policy.mean(Nd4j.create(testUsers)), 1, List.of(), Similarity.COSINE);
    double sum = 0;
    for (int u = 0; u < testUsers.length; u++) {
      sum += latentReward(testUsers[u], rankings[u].indices()[0]);
    }
    return sum / testUsers.length;
  }

  static double loggingPolicyReward() {
    SplittableRandom r = new SplittableRandom(3);
    double sum = 0;
    for (float[] u : testUsers) {
      sum += latentReward(u, logAction(u, r));
    }
    return sum / testUsers.length;
  }

  static Batch loggedBatch(SplittableRandom r) {
    float[][] s = new float[BATCH][];
    float[][] a = new float[BATCH][];
    double[] rewards = new double[BATCH];
    for (int i = 0; i < BATCH; i++) {
      float[] u = trainUsers[r.nextInt(trainUsers.length)];
      int item = logAction(u, r);
      s[i] = u;
      a[i] = catalog.embedding(item);
      rewards[i] = Math.min(1, Math.max(0, latentReward(u, item) + 0.1 * r.nextGaussian()));
    }
    return Batch.of(s, a, rewards, DataType.FLOAT);
  }

  /** 15%: the best of 10 random items for this user; 85%: one of 5 popular items, Zipf-weighted. */
  static int logAction(float[] user, SplittableRandom r) {
    if (r.nextDouble() < 0.15) {
      int best = r.nextInt(ITEMS);
      for (int k = 0; k < 30; k++) {
        int candidate = r.nextInt(ITEMS);
        if (cos(user, catalog.embedding(candidate)) > cos(user, catalog.embedding(best))) {
          best = candidate;
        }
      }
      return best;
    }
    double x = r.nextDouble() * (1 + 1 / 2.0 + 1 / 3.0 + 1 / 4.0 + 1 / 5.0);
    int rank = 0;
    while (rank < 4 && (x -= 1.0 / (rank + 1)) > 0) {
      rank++;
    }
    return rank;
  }

  static double latentReward(float[] user, int item) {
    return Math.exp(-(1 - cos(user, catalog.embedding(item))) / (2 * DELTA * DELTA));
  }

  static float[][] users(SplittableRandom r, int n) {
    float[][] u = new float[n][];
    for (int i = 0; i < n; i++) {
      u[i] = gaussian(r, 1.0);
      double norm = Math.sqrt(dot(u[i], u[i]));
      for (int j = 0; j < D; j++) {
        u[i][j] /= (float) norm;
      }
    }
    return u;
  }

  static float[] gaussian(SplittableRandom r, double scale) {
    float[] v = new float[D];
    for (int j = 0; j < D; j++) {
      v[j] = (float) (r.nextGaussian() * scale);
    }
    return v;
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  static double cos(float[] a, float[] b) {
    return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
  }
}
