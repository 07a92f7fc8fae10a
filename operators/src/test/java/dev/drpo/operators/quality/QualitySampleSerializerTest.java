package dev.drpo.operators.quality;

import dev.drpo.operators.wire.WireRecords;
import org.junit.jupiter.api.Test;

class QualitySampleSerializerTest {
  @Test
  void shouldReadBackEveryFieldAndCopyDeeply() throws Exception {
    QualitySample full = new QualitySample();
    full.userId = "user-\u00e9";
    full.cohort = "mobile";
    full.itemId = "item-7";
    full.quality = 0.5;
    full.ts = 1_000;
    full.appendMs = 1_007;
    full.policyVersion = 12;
    full.propensity = 0.125;
    full.explored = true;
    full.userFeatures = new float[] {0.5f, -1f};
    full.historyItems = new String[] {"item-1", null};
    full.historyRewards = new double[] {0.25, Double.NaN};
    WireRecords.assertReadsBackAndCopiesDeeply(QualitySampleSerializer.INSTANCE, full, new QualitySample());
  }
}
