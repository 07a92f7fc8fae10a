package dev.drpo.model.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StateValueTest {
  static final int FEATURES = 16;

  @Test
  void shouldConvergeToTheCoefficientsOfAKnownLinearWorld() {
    SplittableRandom r = new SplittableRandom(1);
    double[] truth = new double[FEATURES + 1];
    for (int j = 0; j <= FEATURES; j++) {
      truth[j] = r.nextDouble(-1, 1);
    }
    StateValue value = new StateValue(FEATURES, 0.98);
    for (int i = 1; i <= 20_000; i++) {
      float[] s = state(r);
      value.add(s, dot(truth, s) + 0.1 * r.nextGaussian());
      if (i % 320 == 0) {
        value.solve();
      }
    }
    double[] w = value.coefficients();
    for (int j = 0; j <= FEATURES; j++) {
      assertThat(w[j]).as("coefficient %d", j).isCloseTo(truth[j], within(0.02));
    }
    float[] s = state(r);
    assertThat(value.value(s)).isCloseTo(dot(truth, s), within(0.05));
  }

  @Test
  void shouldForgetAWorldThatChangedWithinItsHorizon() {
    SplittableRandom r = new SplittableRandom(2);
    StateValue value = new StateValue(FEATURES, 0.95);
    for (int i = 1; i <= 6_400; i++) {
      value.add(state(r), 0.2);
      if (i % 320 == 0) {
        value.solve();
      }
    }
    for (int i = 1; i <= 12_800; i++) {
      value.add(state(r), 0.7);
      if (i % 320 == 0) {
        value.solve();
      }
    }
    // 40 solves at 0.95 leave the old samples 0.95^40 = 0.13 of their weight: about 0.2 x 0.11 + 0.7 x 0.89
    assertThat(value.value(state(r))).isCloseTo(0.645, within(0.02));
  }

  @Test
  void shouldBeTheMeanQualityWithoutFeatures() {
    StateValue value = new StateValue(0, 1.0);
    for (double q : new double[] {0.1, 0.2, 0.6}) {
      value.add(null, q);
    }
    assertThat(value.value(null)).as("before the first fit: the running mean").isCloseTo(0.3, within(1e-12));
    assertThat(new StateValue(0, 1.0).value(null)).as("nothing seen").isZero();
    value.solve();
    assertThat(value.value(null)).isCloseTo(0.3, within(1e-6));
  }

  @Test
  void shouldPredictTheSameAfterARoundTripThroughBytes() {
    SplittableRandom r = new SplittableRandom(3);
    StateValue value = new StateValue(FEATURES, 0.9);
    for (int i = 0; i < 500; i++) {
      value.add(state(r), r.nextDouble());
    }
    value.solve();
    StateValue restored = StateValue.fromBytes(value.toBytes(), 0.9);
    float[] s = state(r);
    assertThat(restored.value(s)).isEqualTo(value.value(s));
    value.add(s, 1.0);
    restored.add(s, 1.0);
    value.solve();
    restored.solve();
    assertThat(restored.coefficients()).containsExactly(value.coefficients());
  }

  private static float[] state(SplittableRandom r) {
    float[] s = new float[FEATURES];
    for (int j = 0; j < FEATURES; j++) {
      s[j] = (float) r.nextGaussian();
    }
    return s;
  }

  private static double dot(double[] w, float[] s) {
    double v = w[FEATURES];
    for (int j = 0; j < FEATURES; j++) {
      v += w[j] * s[j];
    }
    return v;
  }
}
