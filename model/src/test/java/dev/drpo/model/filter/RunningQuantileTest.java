package dev.drpo.model.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RunningQuantileTest {
  static final RunningQuantile.Config HORIZON = RunningQuantile.Config.count(2_000, 10, 320);

  @Test
  void thresholdIsWithinTheSketchRankErrorOfTheExactQuantile() {
    RunningQuantile filter = new RunningQuantile(HORIZON, fixed(0.3));
    double[] stream = new SplittableRandom(5).doubles(20_000).map(x -> x * x).toArray();
    for (double q : stream) {
      filter.offer(q, 0);
    }
    // a fixed keep fraction of 0.3: nu is the 0.7-quantile of the horizon (here the whole stream)
    double rank = rankOf(filter.threshold(), stream);
    assertThat(rank).isCloseTo(0.7, within(HORIZON.rankError() + 320.0 / 20_000));
  }

  @Test
  void admitsWhatIsAtOrAboveTheThresholdAndNothingDuringWarmUp() {
    RunningQuantile filter = new RunningQuantile(HORIZON, fixed(0.5));
    SplittableRandom r = new SplittableRandom(6);
    for (int i = 0; i < 319; i++) {
      assertThat(filter.offer(r.nextDouble(), 0)).isFalse();
    }
    assertThat(filter.ready()).isFalse();
    filter.offer(r.nextDouble(), 0);
    assertThat(filter.ready()).isTrue();
    double nu = filter.threshold();
    assertThat(filter.admits(nu)).isTrue();
    assertThat(filter.admits(Math.nextDown(nu))).isFalse();
  }

  @Test
  void survivesABytesRoundTripAndDecidesIdenticallyAfterwards() {
    RunningQuantile original = new RunningQuantile(HORIZON, KeepFractionController.paper());
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 5_123; i++) {
      original.offer(r.nextDouble(), 0);
    }
    RunningQuantile restored = RunningQuantile.fromBytes(original.toBytes(), HORIZON, KeepFractionController.paper());
    assertThat(restored.threshold()).isEqualTo(original.threshold());
    assertThat(restored.keepFraction()).isEqualTo(original.keepFraction());
    assertThat(restored.horizonCount()).isEqualTo(original.horizonCount());
    for (int i = 0; i < 3_000; i++) {
      double q = r.nextDouble();
      assertThat(restored.offer(q, 0)).isEqualTo(original.offer(q, 0));
    }
    assertThat(restored.threshold()).isEqualTo(original.threshold());
    assertThat(restored.toBytes()).isEqualTo(original.toBytes());
  }

  @Test
  void mergedHalvesGiveTheQuantileOfTheWholeStream() {
    double[] stream = new SplittableRandom(8).doubles(10_000).toArray();
    RunningQuantile left = new RunningQuantile(HORIZON, fixed(0.2));
    RunningQuantile right = new RunningQuantile(HORIZON, fixed(0.2));
    for (int i = 0; i < stream.length; i++) {
      (i % 2 == 0 ? left : right).offer(stream[i] * (i % 2 == 0 ? 1 : 2), 0);
    }
    left.merge(right);
    left.offer(0.5, 0);
    for (int i = 0; i < 320; i++) {
      left.offer(0.5, 0);
    }
    double[] whole = new double[stream.length];
    for (int i = 0; i < stream.length; i++) {
      whole[i] = stream[i] * (i % 2 == 0 ? 1 : 2);
    }
    assertThat(left.horizonCount()).isEqualTo(10_321);
    assertThat(rankOf(left.threshold(), whole)).isCloseTo(0.8, within(HORIZON.rankError() + 0.04));
  }

  @Test
  void theThresholdFollowsAShiftWithinTheHorizon() {
    RunningQuantile filter = new RunningQuantile(RunningQuantile.Config.count(500, 4, 100), fixed(0.5));
    SplittableRandom r = new SplittableRandom(9);
    for (int i = 0; i < 4_000; i++) {
      filter.offer(r.nextDouble(), 0);
    }
    assertThat(filter.threshold()).isCloseTo(0.5, within(0.05));
    for (int i = 0; i < 2_100; i++) {
      filter.offer(2 + r.nextDouble(), 0);
    }
    assertThat(filter.threshold()).isCloseTo(2.5, within(0.05));
  }

  @Test
  void aTimeHorizonForgetsBucketsOlderThanItsSpan() {
    RunningQuantile.Config perMinute = new RunningQuantile.Config(200, RunningQuantile.Unit.TIME, 60_000, 5, 50, 50);
    RunningQuantile filter = new RunningQuantile(perMinute, fixed(0.5));
    long minute = 60_000;
    for (int i = 0; i < 300; i++) {
      filter.offer(1.0 + i % 10, i / 100 * minute);
    }
    assertThat(filter.horizonCount()).isEqualTo(300);
    filter.offer(5.0, 7 * minute);
    assertThat(filter.horizonCount()).as("minutes 0-2 left a 5-minute horizon ending at minute 7").isEqualTo(1);
    assertThat(filter.offer(3.0, 1 * minute)).as("a sample too old for the horizon is still judged").isIn(true, false);
    assertThat(filter.horizonCount()).isEqualTo(1);
  }

  @Test
  void keepFractionSettlesAtTheControllersEquilibriumOnAStationaryStream() {
    RunningQuantile filter = new RunningQuantile(HORIZON, KeepFractionController.paper());
    SplittableRandom r = new SplittableRandom(10);
    double[] late = new double[100];
    for (int tick = 0; tick < 600; tick++) {
      for (int i = 0; i < 320; i++) {
        filter.offer(r.nextDouble(), 0);
      }
      if (tick >= 500) {
        late[tick - 500] = filter.keepFraction();
      }
    }
    // uniform quality: the top share kappa has spread kappa/sqrt(12) vs 1/sqrt(12), so the ratio
    // crosses lambda = 0.5 at kappa = 0.5; the multiplicative steps keep it within a few percent.
    assertThat(Arrays.stream(late).min().orElseThrow()).isGreaterThan(0.45);
    assertThat(Arrays.stream(late).max().orElseThrow()).isLessThan(0.55);
  }

  static KeepFractionController fixed(double p) {
    return new KeepFractionController(p, 0.5, p, p);
  }

  static double rankOf(double value, double[] stream) {
    return Arrays.stream(stream).filter(x -> x < value).count() / (double) stream.length;
  }
}
