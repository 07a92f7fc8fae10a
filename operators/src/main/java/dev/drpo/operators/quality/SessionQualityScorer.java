package dev.drpo.operators.quality;

import dev.drpo.operators.session.Session;
import dev.drpo.operators.session.SessionStep;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Scores a session's quality and turns each of its steps into a {@link QualitySample}: with
 * granularity SESSION every step carries the session's quality, with INTERACTION its own reward.
 * Keeps no state.
 */
public class SessionQualityScorer implements FlatMapFunction<Session, QualitySample> {
  private final QualityConfig config;

  public SessionQualityScorer(QualityConfig config) {
    this.config = config;
  }

  /** The configured aggregate of the session's step rewards. */
  public static double quality(SessionStep[] steps, QualityConfig config) {
    double sum = 0;
    double max = Double.NEGATIVE_INFINITY;
    double discounted = 0;
    double weight = 1;
    for (SessionStep step : steps) {
      sum += step.reward;
      max = Math.max(max, step.reward);
      discounted += weight * step.reward;
      weight *= config.discount();
    }
    return switch (config.aggregate()) {
      case MEAN -> sum / steps.length;
      case SUM -> sum;
      case MAX -> max;
      case DISCOUNTED_SUM -> discounted;
    };
  }

  @Override
  public void flatMap(Session session, Collector<QualitySample> out) {
    session.quality = quality(session.steps, config);
    for (int t = 0; t < session.steps.length; t++) {
      SessionStep step = session.steps[t];
      QualitySample q = new QualitySample();
      q.userId = session.userId;
      q.cohort = session.cohort;
      q.itemId = step.itemId;
      q.quality = config.granularity() == QualityConfig.Granularity.SESSION ? session.quality : step.reward;
      q.ts = step.ts;
      q.policyVersion = step.policyVersion;
      q.userFeatures = session.userFeatures;
      int from = Math.max(0, t - config.historyLength());
      q.historyItems = new String[t - from];
      q.historyRewards = new double[t - from];
      for (int h = from; h < t; h++) {
        q.historyItems[h - from] = session.steps[h].itemId;
        q.historyRewards[h - from] = session.steps[h].reward;
      }
      out.collect(q);
    }
  }
}
