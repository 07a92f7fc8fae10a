package dev.drpo.operators.event;

import dev.drpo.operators.wire.WireRecords;
import org.junit.jupiter.api.Test;

class InteractionEventSerializerTest {
  @Test
  void shouldReadBackEveryFieldAndCopyDeeply() throws Exception {
    InteractionEvent full = new InteractionEvent("e-1", "user-\u00e9", "item-7", 1_000, 0.75, "mobile");
    full.userFeatures = new float[] {0.5f, -1f};
    full.requestId = "r-9";
    full.policyVersion = 12;
    full.propensity = 0.125;
    full.explored = true;
    full.appendMs = 1_007;
    WireRecords.assertReadsBackAndCopiesDeeply(InteractionEventSerializer.INSTANCE, full, new InteractionEvent());
  }
}
