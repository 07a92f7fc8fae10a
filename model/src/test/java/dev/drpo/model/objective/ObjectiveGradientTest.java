package dev.drpo.model.objective;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.model.filter.BatchTopP;
import dev.drpo.model.filter.KeepFractionController;
import dev.drpo.model.filter.RunningQuantile;
import dev.drpo.model.learn.Batch;
import dev.drpo.model.learn.Stats;
import dev.drpo.model.policy.Critic;
import dev.drpo.model.policy.FiniteDifferences;
import dev.drpo.model.policy.GaussianPolicy;
import dev.drpo.model.policy.PolicyConfig;

import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Every objective's policy gradient (and the critics' gradients) against float64 finite differences. */
class ObjectiveGradientTest {
  static final PolicyConfig SMALL = new PolicyConfig(4, new int[] {6, 5}, 3, -5, 1, -0.2, 1e-3);
  static final int N = 12;

  static Stream<Supplier<Objective>> objectives() {
    return Stream.of(
        () -> new Drpo("DRPO", new BatchTopP(KeepFractionController.paper())),
        () -> new Drpo("DRPO-Stream", new RunningQuantile(RunningQuantile.Config.count(N, 4, N), KeepFractionController.paper())),
        () -> new DrpoExp(new BatchTopP(KeepFractionController.paper()), DrpoExp.PAPER_BETA),
        () -> new AdaptiveBc(new BatchTopP(KeepFractionController.paper())),
        Bc::new,
        Apg::new,
        () -> new Awr(0.1),
        () -> new AsymRe(AsymRe.PAPER_NEGATIVE_WEIGHT),
        () -> new Crr(Crr.Mode.EXP, 1.0, critic(SMALL.stateDim() + SMALL.actionDim()), 1),
        () -> new Crr(Crr.Mode.BINARY, 1.0, critic(SMALL.stateDim() + SMALL.actionDim()), 1),
        () -> new Iql(0.7, critic(SMALL.stateDim() + SMALL.actionDim()), critic(SMALL.stateDim())),
        () -> new Bppo(0.2, 0, 100));
  }

  @ParameterizedTest
  @MethodSource("objectives")
  void policyGradientOfTheWeightedLikelihoodMatchesFiniteDifferences(Supplier<Objective> make) {
    Objective objective = make.get();
    GaussianPolicy policy = new GaussianPolicy(SMALL, DataType.DOUBLE, 11);
    Batch batch = batch(N, 5);
    double[] c = objective.weigh(batch, policy.evaluate(batch.states(), batch.actions()), policy).coefficients();
    assertThat(java.util.Arrays.stream(c).anyMatch(x -> x != 0)).as(objective.name() + " gives some sample a weight").isTrue();

    policy.evaluate(batch.states(), batch.actions());
    policy.backward(c);
    double[] numeric = FiniteDifferences.gradient(policy.params(), () -> {
      double[] logPi = policy.evaluate(batch.states(), batch.actions());
      double loss = 0;
      for (int i = 0; i < c.length; i++) {
        loss -= c[i] * logPi[i];
      }
      return loss;
    });
    FiniteDifferences.assertClose(policy.grads().toDoubleVector(), numeric);
  }

  @Test
  void bppoCoefficientsAreTheGradientOfItsClippedSurrogate() {
    GaussianPolicy policy = new GaussianPolicy(SMALL, DataType.DOUBLE, 11);
    Batch batch = batch(N, 6);
    GaussianPolicy reference = GaussianPolicy.copyOf(policy);
    policy.params().addi(Nd4j.randn(DataType.DOUBLE, policy.params().length()).muli(0.05));
    double[] logRef = reference.evaluate(batch.states(), batch.actions());
    double[] advantage = Stats.centered(batch.rewards());
    double clip = 0.2;
    double[] c = Bppo.coefficients(policy.evaluate(batch.states(), batch.actions()), logRef, advantage, clip);
    assertThat(java.util.Arrays.stream(c).anyMatch(x -> x != 0)).as("some ratios inside the clip").isTrue();

    policy.evaluate(batch.states(), batch.actions());
    policy.backward(c);
    double[] numeric = FiniteDifferences.gradient(policy.params(),
        () -> Bppo.surrogate(policy.evaluate(batch.states(), batch.actions()), logRef, advantage, clip));
    FiniteDifferences.assertClose(policy.grads().toDoubleVector(), numeric);
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(doubles = {0.5, 0.7, 0.9})
  void criticExpectileRegressionGradientMatchesFiniteDifferences(double tau) {
    Critic critic = critic(SMALL.stateDim());
    Batch batch = batch(N, 7);
    critic.lossGradient(batch.states(), batch.rewards(), tau);
    double[] analytic = critic.grads().toDoubleVector();
    double[] numeric = FiniteDifferences.gradient(critic.params(), () -> {
      double[] f = critic.predict(batch.states());
      double loss = 0;
      for (int i = 0; i < f.length; i++) {
        double u = batch.rewards()[i] - f[i];
        loss += Math.abs(tau - (u < 0 ? 1 : 0)) * u * u / f.length;
      }
      return loss;
    });
    FiniteDifferences.assertClose(analytic, numeric);
  }

  static Critic critic(int inputs) {
    return new Critic(inputs, new int[] {6, 5}, 1e-3, DataType.DOUBLE, 3);
  }

  /** n samples with rewards spread over [0, 1] and random states and actions. */
  static Batch batch(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] s = new float[n][SMALL.stateDim()];
    float[][] a = new float[n][SMALL.actionDim()];
    double[] rewards = new double[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < s[i].length; j++) {
        s[i][j] = (float) r.nextDouble(-1, 1);
      }
      for (int j = 0; j < a[i].length; j++) {
        a[i][j] = (float) r.nextDouble(-1, 1);
      }
      rewards[i] = r.nextDouble();
    }
    return Batch.of(s, a, rewards, DataType.DOUBLE);
  }

}
