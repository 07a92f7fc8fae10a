package dev.drpo.operators.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.drpo.operators.quality.QualityConfig.Aggregate;
import dev.drpo.operators.quality.QualityConfig.Granularity;
import dev.drpo.operators.session.Session;
import dev.drpo.operators.session.SessionStep;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

class SessionQualityScorerTest {
  static final SessionStep[] STEPS = {
      new SessionStep("e1", "a", 0.2, 1, 3), new SessionStep("e2", "b", 1.0, 2, 3), new SessionStep("e3", "c", 0.6, 3, 4)};

  @Test
  void aggregatesStepRewardsAsConfigured() {
    assertThat(SessionQualityScorer.quality(STEPS, config(Aggregate.MEAN, Granularity.SESSION))).isCloseTo(0.6, within(1e-12));
    assertThat(SessionQualityScorer.quality(STEPS, config(Aggregate.SUM, Granularity.SESSION))).isCloseTo(1.8, within(1e-12));
    assertThat(SessionQualityScorer.quality(STEPS, config(Aggregate.MAX, Granularity.SESSION))).isEqualTo(1.0);
    assertThat(SessionQualityScorer.quality(STEPS, config(Aggregate.DISCOUNTED_SUM, Granularity.SESSION)))
        .isCloseTo(0.2 + 0.5 * 1.0 + 0.25 * 0.6, within(1e-12));
  }

  @Test
  void sessionGranularityGivesEveryStepTheSessionsQualityAndItsPrefix() {
    List<QualitySample> samples = score(config(Aggregate.MEAN, Granularity.SESSION));
    assertThat(samples).extracting(s -> s.itemId).containsExactly("a", "b", "c");
    assertThat(samples).allSatisfy(s -> assertThat(s.quality).isCloseTo(0.6, within(1e-12)));
    assertThat(samples.get(0).historyItems).isEmpty();
    assertThat(samples.get(2).historyItems).containsExactly("b");
    assertThat(samples.get(2).historyRewards).containsExactly(1.0);
    assertThat(samples.get(2).policyVersion).isEqualTo(4);
  }

  @Test
  void interactionGranularityGivesEveryStepItsOwnReward() {
    assertThat(score(config(Aggregate.MEAN, Granularity.INTERACTION))).extracting(s -> s.quality).containsExactly(0.2, 1.0, 0.6);
  }

  static QualityConfig config(Aggregate aggregate, Granularity granularity) {
    return new QualityConfig(aggregate, 0.5, granularity, 1);
  }

  static List<QualitySample> score(QualityConfig config) {
    Session s = new Session();
    s.userId = "u";
    s.cohort = "c";
    s.steps = STEPS;
    List<QualitySample> out = new ArrayList<>();
    new SessionQualityScorer(config).flatMap(s, new Collector<>() {
      @Override
      public void collect(QualitySample record) {
        out.add(record);
      }

      @Override
      public void close() {}
    });
    return out;
  }
}
