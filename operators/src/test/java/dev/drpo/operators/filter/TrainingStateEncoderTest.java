package dev.drpo.operators.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.operators.quality.QualitySample;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.junit.jupiter.api.Test;

class TrainingStateEncoderTest {

  @Test
  void buildsTheStateFromFeaturesAndTheSessionsEarlierSteps() throws Exception {
    TrainingStateEncoder encoder = new TrainingStateEncoder(List.of("x", "y"), new float[][] {{2, 0}, {0, 3}}, 1, 10);
    encoder.open((OpenContext) null);
    QualitySample sample = new QualitySample();
    sample.userFeatures = new float[] {0.5f};
    sample.historyItems = new String[] {"x", "y"};
    sample.historyRewards = new double[] {1, 3};

    assertThat(encoder.map(new TrainingSample(sample, 1, 0, 0.5)).state).containsExactly(0.5f, 0.25f, 0.75f);
  }

  @Test
  void aFirstStepHasOnlyItsFeatures() throws Exception {
    TrainingStateEncoder encoder = new TrainingStateEncoder(List.of("x"), new float[][] {{1, 0}}, 0, 10);
    encoder.open((OpenContext) null);
    QualitySample sample = new QualitySample();
    sample.historyItems = new String[0];
    sample.historyRewards = new double[0];

    assertThat(encoder.map(new TrainingSample(sample, 1, 0, 0.5)).state).containsExactly(0f, 0f);
  }
}
