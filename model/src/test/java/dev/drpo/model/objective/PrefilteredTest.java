package dev.drpo.model.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drpo.model.learn.Batch;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class PrefilteredTest {

  static Batch weighted(double... weights) {
    float[][] rows = new float[weights.length][2];
    return Batch.of(rows, rows, weights, DataType.FLOAT);
  }

  @Test
  void drpoAveragesTheUpstreamWeightsOverTheMicroBatch() {
    Weights w = new Prefiltered(Prefiltered.Normalisation.MEAN).weigh(weighted(0, 1, 3), null, null);
    assertThat(w.coefficients()).containsExactly(0, 1 / 3.0, 1);
    assertThat(w.admitted()).isEqualTo(3);
  }

  @Test
  void drpoExpNormalisesTheWeightsToSumToOne() {
    Weights w = new Prefiltered(Prefiltered.Normalisation.SUM).weigh(weighted(1, 3), null, null);
    assertThat(w.coefficients()).containsExactly(0.25, 0.75);
  }

  @Test
  void aNegativeOrNonFiniteWeightIsRefused() {
    Prefiltered drpo = new Prefiltered(Prefiltered.Normalisation.MEAN);
    assertThatThrownBy(() -> drpo.weigh(weighted(1, -0.5), null, null)).hasMessageContaining("-0.5");
    assertThatThrownBy(() -> drpo.weigh(weighted(Double.NaN), null, null)).hasMessageContaining("NaN");
  }
}
