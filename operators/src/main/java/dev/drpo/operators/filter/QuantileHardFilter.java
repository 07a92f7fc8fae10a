package dev.drpo.operators.filter;

import dev.drpo.model.filter.RunningQuantile;
import dev.drpo.model.filter.StateValue;
import dev.drpo.model.objective.Drpo;
import dev.drpo.operators.quality.QualitySample;
import dev.drpo.operators.state.WritesBack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;

/**
 * DRPO's hard filter per cohort, keyed by cohort: a {@link RunningQuantile} (horizon of KLL
 * sketches, keep-fraction controller) decides which samples pass; admitted ones get their weight.
 *
 * <p>Keyed state per cohort: the filter (and the state's value, below) as versioned bytes as of the
 * last checkpoint barrier. The live filters sit on the heap of their instance, and the filters of
 * the cohorts that took samples since are written once before each barrier ({@link WritesBack},
 * run by {@link HardFilterOperator}), not per sample; a restored instance reads them back, and KLL
 * compaction is seeded, so the restored filter decides exactly as the lost one would have. Builds
 * before session 19 saved the filter at each tick and the (quality, ts) pairs it took since in a
 * list: a restore of their state replays those pairs once (with a value baseline those pairs hold
 * relative qualities without their features, so V's sums miss them and the decisions after the next
 * tick may differ from an uninterrupted run's, as in those builds). A cohort's state lives as long as the
 * cohort (cohorts are few and long-lived); nothing is kept per user.
 *
 * <p>With a value baseline ({@link FilterConfig.Baseline#VALUE}) the filter ranks a sample's
 * relative quality q - V(s) instead of q: V ({@link StateValue}) is fitted per cohort on every
 * sample's user features (the state without its history; none count as zeros) and refitted at each
 * tick, so from the first tick on V is fixed between ticks (before it, V is the running mean); its
 * sums are saved with the filter. Nu, kappa and the weights are then in units of relative quality. A
 * cohort restored under the other baseline starts its filter again (its horizon is in the other
 * units).
 *
 * <p>Metrics per cohort (group {@code cohort=<name>}): samplesIn, admitted, keepFraction (kappa),
 * threshold (nu), keepRate (admitted / samplesIn), admittedExplored (admitted samples whose item the
 * scorer's exploration drew: the draws that earned more than the cohort's nu).
 */
public class QuantileHardFilter extends KeyedProcessFunction<String, QualitySample, TrainingSample> implements WritesBack {
  private final FilterConfig config;
  private transient ValueState<byte[]> saved;
  private transient ValueState<byte[]> savedValue;
  /** Only in the state of builds before session 19: the pairs their filter took since its last saved tick. */
  private transient ListState<Tuple2<Double, Long>> sinceSaved;
  private transient KeyContext keys;
  private transient Map<String, Cohort> cohorts;

  public QuantileHardFilter(FilterConfig config) {
    this.config = config;
  }

  @Override
  public void keysFrom(KeyContext operator) {
    keys = operator;
  }

  @Override
  public void open(OpenContext openContext) {
    if (keys == null) {
      throw new IllegalStateException("run the hard filter with HardFilterOperator: it writes the filters to state before each barrier");
    }
    saved = getRuntimeContext().getState(new ValueStateDescriptor<>("filter", byte[].class));
    savedValue = getRuntimeContext().getState(new ValueStateDescriptor<>("state-value", byte[].class));
    sinceSaved = getRuntimeContext().getListState(
        new ListStateDescriptor<>("since-last-tick", Types.TUPLE(Types.DOUBLE, Types.LONG)));
    cohorts = new HashMap<>();
  }

  @Override
  public void processElement(QualitySample sample, Context ctx, Collector<TrainingSample> out) throws Exception {
    Cohort cohort = cohorts.get(ctx.getCurrentKey());
    if (cohort == null) {
      cohort = restore(ctx.getCurrentKey());
      cohorts.put(ctx.getCurrentKey(), cohort);
    }
    RunningQuantile filter = cohort.filter;
    double baseline = 0;
    if (cohort.value != null) {
      float[] features = sample.userFeatures != null && sample.userFeatures.length == config.userFeatures() ? sample.userFeatures
          : null;
      baseline = cohort.value.value(features);
      cohort.value.add(features, sample.quality);
    }
    double quality = sample.quality - baseline;
    boolean admitted = filter.offer(quality, sample.ts);
    if (filter.samplesSinceTick() == 0 && cohort.value != null) {
      cohort.value.solve();
    }
    cohort.changed = true;
    cohort.in.inc();
    if (admitted) {
      cohort.admitted.inc();
      if (sample.explored) {
        cohort.admittedExplored.inc();
      }
      out.collect(admit(sample, quality, baseline, filter));
    }
  }

  @Override
  public void writeBack() {
    Object current = keys.getCurrentKey();
    for (Map.Entry<String, Cohort> e : cohorts.entrySet()) {
      Cohort cohort = e.getValue();
      if (cohort.changed) {
        keys.setCurrentKey(e.getKey());
        try {
          saved.update(cohort.filter.toBytes());
          if (cohort.value != null) {
            savedValue.update(cohort.value.toBytes());
          }
        } catch (IOException ex) {
          throw new UncheckedIOException("cannot write the hard filter of cohort " + e.getKey(), ex);
        }
        cohort.changed = false;
      }
    }
    if (current != null) {
      keys.setCurrentKey(current);
    }
  }

  private TrainingSample admit(QualitySample sample, double quality, double baseline, RunningQuantile filter) {
    double weight = config.weighting() == FilterConfig.Weighting.DRPO
        ? Drpo.weight(quality, filter.threshold(), filter.keptStd())
        : Math.exp((quality - filter.keptMean()) / config.beta());
    TrainingSample admitted = new TrainingSample(sample, weight, filter.threshold(), filter.keepFraction());
    admitted.baseline = baseline;
    return admitted;
  }

  /**
   * The cohort's filter and value as saved (with the pairs an earlier build saved since its last
   * tick replayed, and cleared). A horizon saved under the other baseline holds qualities in other
   * units (raw against relative): the filter starts again rather than mix them, and so does a value
   * saved for another feature length. The cohort counts as changed: its state is written in this
   * build's form at the next barrier.
   */
  private Cohort restore(String name) throws Exception {
    byte[] bytes = saved.value();
    byte[] valueBytes = savedValue.value();
    boolean relative = config.baseline() == FilterConfig.Baseline.VALUE;
    boolean reset = relative != (valueBytes != null); // a value is saved as soon as a cohort ranks against one
    StateValue value = null;
    if (relative && valueBytes != null) {
      value = StateValue.fromBytes(valueBytes, config.valueRetention());
      if (value.features() != config.userFeatures()) {
        value = null;
        reset = true;
      }
    }
    if (reset) {
      saved.clear();
      sinceSaved.clear();
      savedValue.clear();
      bytes = null;
    }
    if (relative && value == null) {
      value = config.newValue(); // saved at the next barrier: it marks the units of what the horizon takes from now on
    }
    RunningQuantile filter = bytes == null
        ? new RunningQuantile(config.horizon(), config.newController())
        : RunningQuantile.fromBytes(bytes, config.horizon(), config.newController());
    for (Tuple2<Double, Long> pending : sinceSaved.get()) {
      filter.add(pending.f0, pending.f1);
    }
    sinceSaved.clear();
    return new Cohort(filter, value, getRuntimeContext().getMetricGroup().addGroup("cohort", name));
  }

  /** The live filter of one cohort and its metrics. */
  private static final class Cohort {
    final RunningQuantile filter;
    /** The per-state value the quality is ranked relative to; null without a baseline. */
    final StateValue value;
    final Counter in;
    final Counter admitted;
    final Counter admittedExplored;
    /** Took a sample (or was restored) since its state was last written. */
    boolean changed = true;

    Cohort(RunningQuantile filter, StateValue value, MetricGroup metrics) {
      this.filter = filter;
      this.value = value;
      this.in = metrics.counter("samplesIn");
      this.admitted = metrics.counter("admitted");
      this.admittedExplored = metrics.counter("admittedExplored");
      metrics.gauge("keepFraction", filter::keepFraction);
      metrics.gauge("threshold", filter::threshold);
      metrics.gauge("keepRate", () -> in.getCount() == 0 ? 0.0 : (double) admitted.getCount() / in.getCount());
    }
  }
}
