package dev.drpo.model.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.model.state.StateEncoder.Interaction;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateEncoderTest {
  static final ItemCatalog CATALOG = new ItemCatalog(List.of("x", "y", "z"), new float[][] {{1, 0}, {0, 1}, {-1, 0}});

  @Test
  void encodesFeaturesThenTheRewardWeightedMeanOfTheLastLItems() {
    StateEncoder encoder = new StateEncoder(1, 2, 2);
    List<Interaction> history = List.of(new Interaction("z", 5.0), new Interaction("x", 0.25), new Interaction("y", 0.75));

    float[] s = encoder.encode(new float[] {0.5f}, history, CATALOG);

    // only the last two count: (0.25 * x + 0.75 * y) / 1.0
    assertThat(s).containsExactly(0.5f, 0.25f, 0.75f);
  }

  @Test
  void unknownItemsAndNonPositiveRewardsAreSkippedAndAnEmptyHistoryIsZero() {
    StateEncoder encoder = new StateEncoder(0, 2, 5);
    assertThat(encoder.encode(null, List.of(), CATALOG)).containsExactly(0f, 0f);
    assertThat(encoder.encode(null, List.of(new Interaction("nope", 1), new Interaction("x", -1), new Interaction("y", 2)), CATALOG))
        .containsExactly(0f, 1f);
  }

  @Test
  void wrongFeatureLengthIsAClearError() {
    assertThatThrownBy(() -> new StateEncoder(3, 2, 5).encode(new float[2], List.of(), CATALOG))
        .hasMessageContaining("user features have length 2, expected 3");
  }

  @Test
  void withoutHistoryTheStateIsTheFeaturesAlone() {
    StateEncoder encoder = new StateEncoder(2, 2, 0);
    assertThat(encoder.stateDim()).isEqualTo(2);
    assertThat(encoder.encode(new float[] {3, 4}, List.of(new Interaction("x", 1)), CATALOG)).containsExactly(3f, 4f);
    assertThatThrownBy(() -> new StateEncoder(0, 2, 0)).hasMessageContaining("features or history");
  }
}
