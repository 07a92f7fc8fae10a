package dev.drpo.operators.filter;

import dev.drpo.model.filter.RunningQuantile;
import dev.drpo.model.objective.Drpo;
import dev.drpo.operators.quality.QualitySample;
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
import org.apache.flink.util.Collector;

/**
 * DRPO's hard filter per cohort, keyed by cohort: a {@link RunningQuantile} (horizon of KLL
 * sketches, keep-fraction controller) decides which samples pass; admitted ones get their weight.
 *
 * <p>Keyed state per cohort: the filter as versioned bytes as of its last tick, and the
 * (quality, ts) pairs it took since, fewer than one tick's worth. Serializing the sketches on
 * every sample would cost more than the filter itself, so the live filter sits in a per-instance
 * cache, and a restored instance rebuilds it from the bytes plus the replayed pairs; KLL compaction
 * is seeded, so the rebuilt filter decides exactly as the lost one would have. A cohort's state
 * lives as long as the cohort (cohorts are few and long-lived); nothing is kept per user.
 *
 * <p>Metrics per cohort (group {@code cohort=<name>}): samplesIn, admitted, keepFraction (kappa),
 * threshold (nu), keepRate (admitted / samplesIn), admittedExplored (admitted samples whose item the
 * scorer's exploration drew: the draws that earned more than the cohort's nu).
 */
public class QuantileHardFilter extends KeyedProcessFunction<String, QualitySample, TrainingSample> {
  private final FilterConfig config;
  private transient ValueState<byte[]> saved;
  private transient ListState<Tuple2<Double, Long>> sinceSaved;
  private transient Map<String, Cohort> cohorts;

  public QuantileHardFilter(FilterConfig config) {
    this.config = config;
  }

  @Override
  public void open(OpenContext openContext) {
    saved = getRuntimeContext().getState(new ValueStateDescriptor<>("filter", byte[].class));
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
    boolean admitted = filter.offer(sample.quality, sample.ts);
    if (filter.samplesSinceTick() == 0) {
      saved.update(filter.toBytes());
      sinceSaved.clear();
    } else {
      sinceSaved.add(Tuple2.of(sample.quality, sample.ts));
    }
    cohort.in.inc();
    if (admitted) {
      cohort.admitted.inc();
      if (sample.explored) {
        cohort.admittedExplored.inc();
      }
      out.collect(admit(sample, filter));
    }
  }

  private TrainingSample admit(QualitySample sample, RunningQuantile filter) {
    double weight = config.weighting() == FilterConfig.Weighting.DRPO
        ? Drpo.weight(sample.quality, filter.threshold(), filter.keptStd())
        : Math.exp((sample.quality - filter.keptMean()) / config.beta());
    return new TrainingSample(sample, weight, filter.threshold(), filter.keepFraction());
  }

  private Cohort restore(String name) throws Exception {
    byte[] bytes = saved.value();
    RunningQuantile filter = bytes == null
        ? new RunningQuantile(config.horizon(), config.newController())
        : RunningQuantile.fromBytes(bytes, config.horizon(), config.newController());
    for (Tuple2<Double, Long> pending : sinceSaved.get()) {
      filter.add(pending.f0, pending.f1);
    }
    return new Cohort(filter, getRuntimeContext().getMetricGroup().addGroup("cohort", name));
  }

  /** The live filter of one cohort and its metrics. */
  private static final class Cohort {
    final RunningQuantile filter;
    final Counter in;
    final Counter admitted;
    final Counter admittedExplored;

    Cohort(RunningQuantile filter, MetricGroup metrics) {
      this.filter = filter;
      this.in = metrics.counter("samplesIn");
      this.admitted = metrics.counter("admitted");
      this.admittedExplored = metrics.counter("admittedExplored");
      metrics.gauge("keepFraction", filter::keepFraction);
      metrics.gauge("threshold", filter::threshold);
      metrics.gauge("keepRate", () -> in.getCount() == 0 ? 0.0 : (double) admitted.getCount() / in.getCount());
    }
  }
}
