package dev.drpo.operators.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.operators.catalog.CatalogUpdate;
import dev.drpo.operators.event.DeadLetter;
import dev.drpo.operators.quality.QualitySample;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class TrainingStateEncoderTest {
  static final CatalogItems ITEMS = new CatalogItems(new String[] {"x", "y"}, new float[][] {{2, 0}, {0, 3}});

  static TrainingSample admitted(String item, float[] features, String[] history, double[] rewards) {
    QualitySample sample = new QualitySample();
    sample.itemId = item;
    sample.userFeatures = features;
    sample.historyItems = history;
    sample.historyRewards = rewards;
    return new TrainingSample(sample, 1, 0, 0.5);
  }

  @Test
  void buildsTheStateFromFeaturesAndTheSessionsEarlierStepsAndTheActionFromTheItem() throws Exception {
    var harness = ProcessFunctionTestHarnesses.forCoProcessFunction(new TrainingStateEncoder(ITEMS, 1, 10));
    harness.processElement1(admitted("y", new float[] {0.5f}, new String[] {"x", "y"}, new double[] {1, 3}), 0);

    TrainingSample encoded = harness.extractOutputValues().get(0);
    assertThat(encoded.state).containsExactly(0.5f, 0.25f, 0.75f);
    assertThat(encoded.action).containsExactly(0f, 1f);
  }

  @Test
  void aFirstStepHasOnlyItsFeatures() throws Exception {
    var harness = ProcessFunctionTestHarnesses.forCoProcessFunction(new TrainingStateEncoder(ITEMS, 0, 10));
    harness.processElement1(admitted("x", null, new String[0], new double[0]), 0);

    assertThat(harness.extractOutputValues().get(0).state).containsExactly(0f, 0f);
  }

  @Test
  void aSampleOfAnItemOutsideTheCatalogIsDeadLettered() throws Exception {
    var harness = ProcessFunctionTestHarnesses.forCoProcessFunction(new TrainingStateEncoder(ITEMS, 0, 10));
    harness.processElement1(admitted("gone", null, new String[0], new double[0]), 0);

    assertThat(harness.extractOutputValues()).isEmpty();
    assertThat(harness.getSideOutput(TrainingStateEncoder.UNKNOWN_ITEMS))
        .singleElement()
        .satisfies(r -> assertThat(r.getValue().code()).isEqualTo(DeadLetter.Reason.UNKNOWN_ITEM));
  }

  @Test
  void learnsFromAnItemOnceItsUpsertArrivedAndDeadLettersItAfterItsDelete() throws Exception {
    var harness = ProcessFunctionTestHarnesses.forCoProcessFunction(new TrainingStateEncoder(ITEMS, 0, 10));
    harness.processElement2(new CatalogUpdate("z", new float[] {0, -4}, 0, 0), 0);
    harness.processElement1(admitted("z", null, new String[0], new double[0]), 0);
    harness.processElement2(new CatalogUpdate("x", null, 0, 1), 0);
    harness.processElement1(admitted("x", null, new String[0], new double[0]), 0);

    assertThat(harness.extractOutputValues()).singleElement().satisfies(s -> assertThat(s.action).containsExactly(0f, -1f));
    assertThat(harness.getSideOutput(TrainingStateEncoder.UNKNOWN_ITEMS)).singleElement()
        .satisfies(r -> assertThat(r.getValue().reason).contains("item x is not in the catalog"));
  }
}
