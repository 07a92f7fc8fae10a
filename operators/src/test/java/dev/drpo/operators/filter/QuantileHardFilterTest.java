package dev.drpo.operators.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.drpo.model.filter.RunningQuantile;
import dev.drpo.operators.Harnesses;
import dev.drpo.operators.quality.QualitySample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

class QuantileHardFilterTest {
  static final FilterConfig CONFIG = new FilterConfig(RunningQuantile.Config.count(500, 8, 100), 0.5, 0.5, 0.05, 1.0,
      FilterConfig.Weighting.DRPO, 0.05, FilterConfig.Baseline.NONE, 0);

  @Test
  void shouldAdmitTheTopShareOfEachCohortAgainstItsOwnThreshold() throws Exception {
    var harness = harness(null);
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 6_000; i++) {
      harness.processElement(record(sample("small", r.nextDouble(), i)));
      harness.processElement(record(sample("large", 10 + 10 * r.nextDouble(), i)));
    }
    List<TrainingSample> out = harness.extractOutputValues();
    double smallNu = last(out, "small").threshold;
    double largeNu = last(out, "large").threshold;
    assertThat(smallNu).isBetween(0.0, 1.0);
    assertThat(largeNu).isBetween(10.0, 20.0);
    assertThat(out).allSatisfy(t -> {
      assertThat(t.weight).isGreaterThanOrEqualTo(0);
      assertThat(t.sample.quality).isGreaterThanOrEqualTo(t.threshold);
    });
  }

  @Test
  void shouldSettleTheAdmittedShareAtTheControllersEquilibriumOnAStationaryStream() throws Exception {
    var harness = harness(null);
    SplittableRandom r = new SplittableRandom(2);
    for (int i = 0; i < 20_000; i++) {
      harness.processElement(record(sample("c", r.nextDouble(), i)));
    }
    harness.getOutput().clear();
    for (int i = 0; i < 10_000; i++) {
      harness.processElement(record(sample("c", r.nextDouble(), i)));
    }
    // uniform quality: lambda = 0.5 balances at kappa = 0.5 (see RunningQuantileTest)
    double admittedShare = harness.extractOutputValues().size() / 10_000.0;
    assertThat(admittedShare).isCloseTo(0.5, within(0.06));
    assertThat(last(harness.extractOutputValues(), "c").keepFraction).isCloseTo(0.5, within(0.06));
  }

  @Test
  void shouldFollowAShiftInQualityWithinTheHorizon() throws Exception {
    var harness = harness(null);
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 5_000; i++) {
      harness.processElement(record(sample("c", r.nextDouble(), i)));
    }
    double before = last(harness.extractOutputValues(), "c").threshold;
    // the horizon is 8 x 500 samples: after 4,100 shifted ones it holds nothing from before
    for (int i = 0; i < 4_100; i++) {
      harness.processElement(record(sample("c", 5 + r.nextDouble(), i)));
    }
    double after = last(harness.extractOutputValues(), "c").threshold;
    assertThat(before).isBetween(0.3, 0.7);
    assertThat(after).isBetween(5.3, 5.7);
  }

  @Test
  void shouldDecideIdenticallyAfterASnapshotAndRestoreMidStream() throws Exception {
    List<QualitySample> stream = twoCohorts(4);
    int cut = 1_234;
    var before = harness(null);
    feed(before, stream.subList(0, cut));
    OperatorSubtaskState snapshot = checkpoint(before);
    before.close();
    assertDecidesAsUninterrupted(CONFIG, stream, cut, snapshot);
  }

  @Test
  void shouldWriteAtEveryBarrierWhatTheFilterTookSinceTheLast() throws Exception {
    List<QualitySample> stream = twoCohorts(10);
    int first = 700;
    int second = 1_234;
    var before = harness(null);
    feed(before, stream.subList(0, first));
    checkpoint(before);
    feed(before, stream.subList(first, second));
    OperatorSubtaskState snapshot = checkpoint(before);
    before.close();
    assertDecidesAsUninterrupted(CONFIG, stream, second, snapshot);
  }

  @Test
  void shouldWriteTheFiltersWhenItsInputEnds() throws Exception {
    List<QualitySample> stream = twoCohorts(11);
    int cut = 1_234;
    var bounded = harness(null);
    feed(bounded, stream.subList(0, cut));
    bounded.getOperator().finish(); // a bounded input ends: the final checkpoint comes after, without another barrier
    OperatorSubtaskState snapshot = bounded.snapshot(1, 1);
    bounded.close();
    assertDecidesAsUninterrupted(CONFIG, stream, cut, snapshot);
  }

  @Test
  void shouldAdmitTheBetterActionOfEachStateWhenQualityIsRelativeToTheStatesValue() throws Exception {
    // an easy state A (rewards 0.8 / 0.6 for its good / bad action) and a hard one B (0.3 / 0.1); kappa fixed at 0.5
    FilterConfig half = new FilterConfig(RunningQuantile.Config.count(500, 8, 100), 0.5, 0.5, 0.5, 0.5,
        FilterConfig.Weighting.DRPO, 0.05, FilterConfig.Baseline.NONE, 0);
    List<TrainingSample> raw = admittedAfterWarmUp(half);
    List<TrainingSample> relative = admittedAfterWarmUp(half.withBaseline(FilterConfig.Baseline.VALUE, 2));

    assertThat(raw.stream().filter(t -> t.sample.userId.equals("hard")).count()).isLessThan(2L * raw.size() / 100);
    assertThat(raw.stream().filter(t -> t.sample.itemId.equals("good")).count()).isBetween(raw.size() / 3L, 2L * raw.size() / 3);
    assertThat(relative.stream().filter(t -> t.sample.itemId.equals("good")).count()).isGreaterThan(95L * relative.size() / 100);
    assertThat(relative.stream().filter(t -> t.sample.userId.equals("hard")).count()).isGreaterThan(40L * relative.size() / 100);
    assertThat(relative).allSatisfy(t -> assertThat(t.baseline).isCloseTo(t.sample.userId.equals("easy") ? 0.7 : 0.2, within(0.03)));
  }

  private static List<TrainingSample> admittedAfterWarmUp(FilterConfig config) throws Exception {
    var harness = Harnesses.keyed(new HardFilterOperator(config), (QualitySample s) -> s.cohort, null);
    SplittableRandom r = new SplittableRandom(5);
    for (int i = 0; i < 8_000; i++) {
      if (i == 4_000) {
        harness.getOutput().clear();
      }
      boolean easy = r.nextBoolean();
      boolean good = r.nextBoolean();
      double quality = (easy ? 0.6 : 0.1) + (good ? 0.2 : 0) + 0.02 * r.nextGaussian();
      harness.processElement(record(sample("c", quality, i, easy ? "easy" : "hard", good ? "good" : "bad")));
    }
    return harness.extractOutputValues();
  }

  @Test
  void shouldDecideIdenticallyWithTheStatesValueAfterASnapshotAndRestoreMidStream() throws Exception {
    FilterConfig config = CONFIG.withBaseline(FilterConfig.Baseline.VALUE, 2);
    List<QualitySample> stream = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(6);
    for (int i = 0; i < 3_000; i++) {
      boolean easy = r.nextBoolean();
      stream.add(sample("c", (easy ? 0.6 : 0.1) + 0.2 * r.nextDouble(), i, easy ? "easy" : "hard", "i"));
    }
    int cut = 1_234; // between two ticks (every 100 samples): V's sums hold 34 samples since its last fit
    var before = Harnesses.keyed(new HardFilterOperator(config), (QualitySample s) -> s.cohort, null);
    feed(before, stream.subList(0, cut));
    OperatorSubtaskState snapshot = checkpoint(before);
    before.close();
    assertDecidesAsUninterrupted(config, stream, cut, snapshot);
  }

  @Test
  void shouldDecideIdenticallyAfterRestoringTheStateOfAnEarlierBuild() throws Exception {
    List<QualitySample> stream = twoCohorts(9);
    int cut = 1_234;
    var earlier = Harnesses.keyed(new EarlierBuildFilter(CONFIG), (QualitySample s) -> s.cohort, null);
    feed(earlier, stream.subList(0, cut));
    OperatorSubtaskState snapshot = checkpoint(earlier);
    earlier.close();
    assertDecidesAsUninterrupted(CONFIG, stream, cut, snapshot);
    var restored = harness(snapshot);
    feed(restored, stream.subList(cut, cut + 3)); // a sample of each cohort restores it
    assertThat(restored.getOperator().getKeyedStateBackend().getKeys("since-last-tick", VoidNamespace.INSTANCE))
        .as("the earlier build's pairs, replayed once").isEmpty();
  }

  /**
   * The hard filter's state as builds before session 19 wrote it (baseline NONE): the filter's
   * bytes at each tick, and the (quality, ts) pairs it took since in a list.
   */
  static final class EarlierBuildFilter extends KeyedProcessFunction<String, QualitySample, Void> {
    private final FilterConfig config;
    private transient ValueState<byte[]> saved;
    private transient ListState<Tuple2<Double, Long>> sinceSaved;
    private transient Map<String, RunningQuantile> filters;

    EarlierBuildFilter(FilterConfig config) {
      this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
      saved = getRuntimeContext().getState(new ValueStateDescriptor<>("filter", byte[].class));
      sinceSaved = getRuntimeContext().getListState(new ListStateDescriptor<>("since-last-tick", Types.TUPLE(Types.DOUBLE, Types.LONG)));
      filters = new HashMap<>();
    }

    @Override
    public void processElement(QualitySample sample, Context ctx, Collector<Void> out) throws Exception {
      RunningQuantile filter = filters.computeIfAbsent(ctx.getCurrentKey(), k -> new RunningQuantile(config.horizon(), config.newController()));
      filter.offer(sample.quality, sample.ts);
      if (filter.samplesSinceTick() == 0) {
        saved.update(filter.toBytes());
        sinceSaved.clear();
      } else {
        sinceSaved.add(Tuple2.of(sample.quality, sample.ts));
      }
    }
  }

  @Test
  void shouldCountASampleWithoutFeaturesAsZerosInTheStatesValue() throws Exception {
    var harness = Harnesses.keyed(new HardFilterOperator(CONFIG.withBaseline(FilterConfig.Baseline.VALUE, 2)),
        (QualitySample s) -> s.cohort, null);
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 2_000; i++) {
      QualitySample s = sample("c", r.nextDouble(), i, i % 2 == 0 ? "easy" : "hard", "i");
      if (i % 3 == 0) {
        s.userFeatures = null;
      }
      harness.processElement(record(s));
    }
    assertThat(harness.extractOutputValues()).isNotEmpty().allSatisfy(t -> assertThat(t.weight).isGreaterThanOrEqualTo(0));
  }

  @Test
  void shouldStartAFilterAgainThatWasSavedUnderTheOtherBaseline() throws Exception {
    FilterConfig value = CONFIG.withBaseline(FilterConfig.Baseline.VALUE, 2);
    SplittableRandom r = new SplittableRandom(8);
    List<QualitySample> before = new ArrayList<>();
    List<QualitySample> after = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      before.add(sample("c", 10 + r.nextDouble(), i, i % 2 == 0 ? "easy" : "hard", "i"));
    }
    for (int i = 0; i < 1_000; i++) {
      after.add(sample("c", r.nextDouble(), 3_000 + i, i % 2 == 0 ? "easy" : "hard", "i"));
    }
    for (int cut : new int[] {3_000, 50}) { // a raw horizon, and one saved before its first tick
      var raw = harness(null);
      for (QualitySample s : before.subList(0, cut)) {
        raw.processElement(record(s));
      }
      OperatorSubtaskState snapshot = checkpoint(raw);
      raw.close();
      var restored = Harnesses.keyed(new HardFilterOperator(value), (QualitySample s) -> s.cohort, snapshot);
      var fresh = Harnesses.keyed(new HardFilterOperator(value), (QualitySample s) -> s.cohort, null);
      for (QualitySample s : after) {
        restored.processElement(record(s));
        fresh.processElement(record(s));
      }
      assertThat(restored.extractOutputValues()).as("cut at %d: as a filter that never ranked raw qualities", cut).isNotEmpty()
          .usingRecursiveFieldByFieldElementComparator(Harnesses.fieldByField()).containsExactlyElementsOf(fresh.extractOutputValues());
    }
  }

  /** 3,000 samples of two cohorts: "a" with quality in [0, 1), "b" (twice as many) in [0, 3). */
  static List<QualitySample> twoCohorts(long seed) {
    List<QualitySample> stream = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 3_000; i++) {
      stream.add(sample(i % 3 == 0 ? "a" : "b", r.nextDouble() * (i % 3 == 0 ? 1 : 3), i));
    }
    return stream;
  }

  static void feed(KeyedOneInputStreamOperatorTestHarness<String, QualitySample, ?> harness, List<QualitySample> samples) throws Exception {
    for (QualitySample s : samples) {
      harness.processElement(record(s));
    }
  }

  /**
   * A filter restored from {@code state} (taken after the stream's first {@code cut} samples) decides
   * on the rest exactly as one that took the whole stream uninterrupted.
   */
  static void assertDecidesAsUninterrupted(FilterConfig config, List<QualitySample> stream, int cut, OperatorSubtaskState state)
      throws Exception {
    var uninterrupted = Harnesses.keyed(new HardFilterOperator(config), (QualitySample s) -> s.cohort, null);
    feed(uninterrupted, stream);
    var after = Harnesses.keyed(new HardFilterOperator(config), (QualitySample s) -> s.cohort, state);
    feed(after, stream.subList(cut, stream.size()));
    List<TrainingSample> expected = uninterrupted.extractOutputValues().stream().filter(t -> t.sample.ts >= cut).toList();
    assertThat(decisions(after.extractOutputValues())).isNotEmpty().containsExactlyElementsOf(decisions(expected));
  }

  /** A checkpoint's snapshot: the operator writes what it holds first, as before a barrier. */
  static OperatorSubtaskState checkpoint(KeyedOneInputStreamOperatorTestHarness<String, QualitySample, ?> harness) throws Exception {
    harness.prepareSnapshotPreBarrier(1);
    return harness.snapshot(1, 1);
  }

  /** What the filter decided for each admitted sample (a mismatch reads in one line per sample). */
  static List<String> decisions(List<TrainingSample> admitted) {
    return admitted.stream().map(t -> t.sample.cohort + "@" + t.sample.ts + " w=" + t.weight + " nu=" + t.threshold + " kappa="
        + t.keepFraction + " V=" + t.baseline).toList();
  }

  static TrainingSample last(List<TrainingSample> out, String cohort) {
    return out.stream().filter(t -> t.sample.cohort.equals(cohort)).reduce((a, b) -> b).orElseThrow();
  }

  static KeyedOneInputStreamOperatorTestHarness<String, QualitySample, TrainingSample> harness(OperatorSubtaskState state) throws Exception {
    return Harnesses.keyed(new HardFilterOperator(CONFIG), s -> s.cohort, state);
  }

  static StreamRecord<QualitySample> record(QualitySample s) {
    return new StreamRecord<>(s, s.ts);
  }

  /** A sample of one of two users with one feature each: "easy" is [1, 0], anyone else [0, 1]. */
  static QualitySample sample(String cohort, double quality, long ts, String user, String item) {
    QualitySample s = sample(cohort, quality, ts);
    s.userId = user;
    s.itemId = item;
    s.userFeatures = user.equals("easy") ? new float[] {1, 0} : new float[] {0, 1};
    return s;
  }

  static QualitySample sample(String cohort, double quality, long ts) {
    QualitySample s = new QualitySample();
    s.userId = "u" + ts % 17;
    s.cohort = cohort;
    s.itemId = "i" + ts % 50;
    s.quality = quality;
    s.ts = ts;
    s.historyItems = new String[0];
    s.historyRewards = new double[0];
    return s;
  }
}
