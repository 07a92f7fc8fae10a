package dev.drpo.operators.filter;

import dev.drpo.model.catalog.ItemCatalog;
import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.operators.catalog.CatalogUpdate;
import dev.drpo.operators.event.DeadLetter;
import dev.drpo.operators.quality.QualitySample;
import dev.drpo.operators.Harnesses;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
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

  /** A harness of an encoder, before it opens. */
  static TwoInputStreamOperatorTestHarness<TrainingSample, CatalogUpdate, TrainingSample> started(int featureDim)
      throws Exception {
    var encoder = new TrainingStateEncoder(ITEMS, ItemCatalog.Retrieval.EXACT, featureDim, 10);
    return Harnesses.withMailbox(new TwoInputStreamOperatorTestHarness<>(encoder), encoder);
  }

  /** An opened encoder whose catalog has loaded. */
  static TwoInputStreamOperatorTestHarness<TrainingSample, CatalogUpdate, TrainingSample> encoder(int featureDim)
      throws Exception {
    var harness = started(featureDim);
    harness.open();
    assertThat(Harnesses.runNextMail(harness)).contains("catalog loaded");
    return harness;
  }

  @Test
  void buildsTheStateFromFeaturesAndTheSessionsEarlierStepsAndTheActionFromTheItem() throws Exception {
    var harness = encoder(1);
    harness.processElement1(admitted("y", new float[] {0.5f}, new String[] {"x", "y"}, new double[] {1, 3}), 0);

    TrainingSample encoded = harness.extractOutputValues().get(0);
    assertThat(encoded.state).containsExactly(0.5f, 0.25f, 0.75f);
    assertThat(encoded.action).containsExactly(0f, 1f);
  }

  @Test
  void aFirstStepHasOnlyItsFeatures() throws Exception {
    var harness = encoder(0);
    harness.processElement1(admitted("x", null, new String[0], new double[0]), 0);

    assertThat(harness.extractOutputValues().get(0).state).containsExactly(0f, 0f);
  }

  @Test
  void aSampleOfAnItemOutsideTheCatalogIsDeadLettered() throws Exception {
    var harness = encoder(0);
    harness.processElement1(admitted("gone", null, new String[0], new double[0]), 0);

    assertThat(harness.extractOutputValues()).isEmpty();
    assertThat(harness.getSideOutput(TrainingStateEncoder.DEAD_LETTERS))
        .singleElement()
        .satisfies(r -> assertThat(r.getValue().code()).isEqualTo(DeadLetter.Reason.UNKNOWN_ITEM));
  }

  @Test
  void learnsFromAnItemOnceItsUpsertArrivedAndDeadLettersItAfterItsDelete() throws Exception {
    var harness = encoder(0);
    harness.processElement2(new CatalogUpdate("z", new float[] {0, -4}, 0, 0), 0);
    harness.processElement1(admitted("z", null, new String[0], new double[0]), 0);
    harness.processElement2(new CatalogUpdate("x", null, 0, 1), 0);
    harness.processElement1(admitted("x", null, new String[0], new double[0]), 0);

    assertThat(harness.extractOutputValues()).singleElement().satisfies(s -> assertThat(s.action).containsExactly(0f, -1f));
    assertThat(harness.getSideOutput(TrainingStateEncoder.DEAD_LETTERS)).singleElement()
        .satisfies(r -> assertThat(r.getValue().reason).contains("item x is not in the catalog"));
  }

  @Test
  void shouldKeepSamplesThatArriveWhileTheCatalogLoadsThroughACheckpointAndEncodeThemWhenItIsLoaded() throws Exception {
    var before = started(0);
    before.open();
    before.processElement1(new StreamRecord<>(admitted("x", null, new String[0], new double[0]), 0));
    var saved = before.snapshot(1, 0); // before the load's mail ran: the sample waits in state
    before.close();

    var after = started(0);
    after.initializeState(saved);
    after.open();
    after.processElement1(new StreamRecord<>(admitted("y", null, new String[0], new double[0]), 0));
    assertThat(after.extractOutputValues()).as("waiting for the catalog").isEmpty();

    Harnesses.runNextMail(after);
    assertThat(after.extractOutputValues()).extracting(s -> s.sample.itemId).containsExactly("x", "y");
    after.close();
  }
}
