package dev.drpo.model.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class KeepFractionControllerTest {

  @Test
  void widensWhenTheKeptSubsetIsTooHomogeneous() {
    KeepFractionController c = KeepFractionController.paper();
    c.update(0.1, 1.0);
    assertThat(c.keepFraction()).isCloseTo(0.5 * 1.02, within(1e-12));
  }

  @Test
  void tightensWhenTheKeptSubsetIsStillNoisy() {
    KeepFractionController c = KeepFractionController.paper();
    c.update(0.6, 1.0);
    assertThat(c.keepFraction()).isCloseTo(0.5 * 0.98, within(1e-12));
  }

  @Test
  void theBoundaryRatioTightens() {
    KeepFractionController c = KeepFractionController.paper();
    c.update(0.5, 1.0);
    assertThat(c.keepFraction()).isLessThan(0.5);
  }

  @Test
  void staysWithinItsBounds() {
    KeepFractionController c = KeepFractionController.paper();
    for (int i = 0; i < 1000; i++) {
      c.update(0, 1);
    }
    assertThat(c.keepFraction()).isEqualTo(1.0);
    for (int i = 0; i < 1000; i++) {
      c.update(1, 1);
    }
    assertThat(c.keepFraction()).isEqualTo(0.05);
  }

  @Test
  void rejectsBoundsThatCannotHold() {
    assertThatThrownBy(() -> new KeepFractionController(0.5, 0.5, 0.6, 1.0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min <= initial");
  }
}
