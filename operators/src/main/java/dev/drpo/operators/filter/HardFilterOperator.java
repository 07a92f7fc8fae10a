package dev.drpo.operators.filter;

import dev.drpo.operators.quality.QualitySample;
import dev.drpo.operators.state.WriteBackOperator;

/**
 * Runs the {@link QuantileHardFilter} and writes the filters of the cohorts that took samples to
 * keyed state before every checkpoint barrier ({@link WriteBackOperator}). Wire it with
 * {@code keyBy(cohort).transform(...)}.
 */
public class HardFilterOperator extends WriteBackOperator<QualitySample, TrainingSample, QuantileHardFilter> {
  public HardFilterOperator(FilterConfig config) {
    super(new QuantileHardFilter(config));
  }
}
