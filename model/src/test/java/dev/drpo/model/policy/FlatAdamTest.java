package dev.drpo.model.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;

class FlatAdamTest {

  @Test
  void takesTheSameStepsAsNd4jsAdamUpdater() {
    int n = 1000;
    Nd4j.getRandom().setSeed(3);
    INDArray params = Nd4j.rand(DataType.FLOAT, n);
    INDArray reference = params.dup();
    FlatAdam adam = new FlatAdam(3e-4, n, DataType.FLOAT);
    INDArray state = Nd4j.zeros(DataType.FLOAT, 1, 2 * n);
    AdamUpdater nd4j = new AdamUpdater(new Adam(3e-4));
    nd4j.setStateViewArray(state, new long[] {1, n}, 'c', false);

    for (int step = 0; step < 25; step++) {
      INDArray grads = Nd4j.randn(DataType.FLOAT, n).muli(step % 3 == 0 ? 10 : 0.1);
      adam.step(params, grads.dup());
      INDArray update = grads.reshape(1, n).dup();
      nd4j.applyUpdater(update, step, 0);
      reference.subi(update.reshape(n));
    }

    assertThat(adam.iteration()).isEqualTo(25);
    assertThat(params.sub(reference).amaxNumber().doubleValue()).isLessThan(1e-6);
    INDArray moments = Nd4j.createFromArray(adam.state()).castTo(DataType.FLOAT);
    double scale = moments.amaxNumber().doubleValue();
    // ND4J runs the update in float32, where 1 - beta2 = 0.001 itself is off by 5e-5 relative
    assertThat(moments.sub(state.reshape(2 * n)).amaxNumber().doubleValue()).isLessThan(1e-4 * scale);
  }

  @Test
  void shouldStepABoostedRangeFurtherAtFirstAndAsFarAsTheRestOnceTheBoostHasRunOut() {
    int n = 4;
    INDArray params = Nd4j.zeros(DataType.DOUBLE, n);
    FlatAdam adam = new FlatAdam(1e-3, n, DataType.DOUBLE).boost(2, 4, 10, 100);
    INDArray grads = Nd4j.createFromArray(1.0, 1.0, 1.0, 1.0);

    adam.step(params, grads.dup());
    double[] first = params.toDoubleVector();
    assertThat(first[2] / first[0]).as("10 times as far at the first step").isCloseTo(10, within(1e-6));
    assertThat(first[1]).isEqualTo(first[0]);
    assertThat(first[3]).isEqualTo(first[2]);

    for (int step = 1; step < 100; step++) {
      adam.step(params, grads.dup());
    }
    double[] before = params.toDoubleVector();
    adam.step(params, grads.dup());
    double[] after = params.toDoubleVector();
    assertThat(after[2] - before[2]).as("as far as the rest from step 100 on").isCloseTo(after[0] - before[0], within(1e-12));
  }
}
