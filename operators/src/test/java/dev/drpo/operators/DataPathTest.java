package dev.drpo.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.drpo.model.filter.RunningQuantile;
import dev.drpo.operators.event.DeadLetter;
import dev.drpo.operators.event.DecoderConfig;
import dev.drpo.operators.event.InteractionEvent;
import dev.drpo.operators.event.InteractionEventSerializer;
import dev.drpo.operators.filter.FilterConfig;
import dev.drpo.operators.filter.TrainingSample;
import dev.drpo.operators.quality.QualityConfig;
import dev.drpo.operators.quality.QualitySample;
import dev.drpo.operators.quality.QualitySampleSerializer;
import dev.drpo.operators.session.SessionConfig;
import java.util.ArrayList;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DataPathTest {
  static final long MINUTE = 60_000;

  @RegisterExtension
  static final MiniClusterExtension CLUSTER = RocksDbMiniCluster.of(1, 2);

  @Test
  void everyRecordIsAccountedForAndEachCohortGetsItsOwnThreshold() throws Exception {
    GeneratedTraffic traffic = new GeneratedTraffic(60, 14, new String[] {"web", "app", "tv"}, new double[] {1, 1, 10}, 7);
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    DataPath.Config config = new DataPath.Config(
        DecoderConfig.defaults("interactions", 0),
        new SessionConfig(30 * MINUTE, 0, 500),
        new QualityConfig(QualityConfig.Aggregate.MEAN, 0.9, QualityConfig.Granularity.INTERACTION, MINUTE, 20, 10),
        new FilterConfig(RunningQuantile.Config.count(300, 6, 100), 0.5, 0.5, 0.05, 1.0, FilterConfig.Weighting.DRPO, 0.05,
            FilterConfig.Baseline.NONE, 0));

    DataPath.Streams streams = DataPath.build(env.fromData(traffic.records, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO), perEvent(), config);
    assertThat(streams.events().getType()).as("the shuffled records travel with their own serializers").isEqualTo(InteractionEventSerializer.TYPE);
    assertThat(streams.samples().getType()).isEqualTo(QualitySampleSerializer.TYPE);
    CloseableIterator<TrainingSample> admitted = streams.admitted().collectAsync();
    CloseableIterator<QualitySample> qualitySamples = streams.samples().collectAsync();
    CloseableIterator<DeadLetter> dead = streams.deadLetters().collectAsync();
    CloseableIterator<InteractionEvent> late = streams.late().collectAsync();
    CloseableIterator<InteractionEvent> duplicates = streams.duplicates().collectAsync();
    env.execute("data path");

    List<TrainingSample> samples = drain(admitted);
    List<QualitySample> allSamples = drain(qualitySamples);
    int steps = allSamples.size();
    int deadLetters = drain(dead).size();
    List<InteractionEvent> lateOnes = drain(late);
    int lateEvents = lateOnes.size();
    int duplicateEvents = drain(duplicates).size();

    assertThat(steps + deadLetters + lateEvents + duplicateEvents).isEqualTo(traffic.records.size());
    assertThat(deadLetters).isEqualTo(traffic.malformed);
    assertThat(duplicateEvents).isEqualTo(traffic.duplicates);
    // how far the watermark has come when a late record arrives depends on how the two parallel
    // decoders interleave; a late record that beats the watermark joins a session instead
    assertThat(lateOnes).isNotEmpty().allSatisfy(e -> assertThat(e.eventId).startsWith("late"));
    assertThat(steps).isEqualTo(traffic.valid + traffic.late - lateEvents);

    Map<String, Long> inPerCohort = allSamples.stream().collect(Collectors.groupingBy(s -> s.cohort, Collectors.counting()));
    Map<String, List<TrainingSample>> outPerCohort = samples.stream().collect(Collectors.groupingBy(t -> t.sample.cohort));
    for (String cohort : List.of("web", "app", "tv")) {
      List<TrainingSample> out = outPerCohort.get(cohort);
      // after warm-up, the admitted share tracks the kappa the filter used
      double meanKappa = out.stream().mapToDouble(t -> t.keepFraction).average().orElseThrow();
      double share = out.size() / (double) (inPerCohort.get(cohort) - 100);
      assertThat(share).as(cohort + " admitted share vs kappa").isCloseTo(meanKappa, within(0.05));
    }
    double tvNu = last(outPerCohort.get("tv")).threshold;
    double webNu = last(outPerCohort.get("web")).threshold;
    assertThat(webNu).isBetween(0.0, 1.0);
    assertThat(tvNu).as("the tv cohort's rewards are 10x: so is its threshold").isBetween(10 * webNu - 3, 10 * webNu + 3).isGreaterThan(2.0);
  }

  static TrainingSample last(List<TrainingSample> samples) {
    return samples.stream().max((a, b) -> Long.compare(a.sample.ts, b.sample.ts)).orElseThrow();
  }

  /** Bounded out-of-orderness of one minute, with a watermark after every event: deterministic lateness in a test. */
  static WatermarkStrategy<InteractionEvent> perEvent() {
    return WatermarkStrategy.<InteractionEvent>forGenerator(ctx -> new WatermarkGenerator<>() {
      long max = Long.MIN_VALUE + MINUTE;

      @Override
      public void onEvent(InteractionEvent event, long timestamp, WatermarkOutput output) {
        max = Math.max(max, event.ts);
        output.emitWatermark(new Watermark(max - MINUTE));
      }

      @Override
      public void onPeriodicEmit(WatermarkOutput output) {}
    }).withTimestampAssigner((e, t) -> e.ts);
  }

  static <T> List<T> drain(CloseableIterator<T> it) throws Exception {
    List<T> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    it.close();
    return out;
  }

}
