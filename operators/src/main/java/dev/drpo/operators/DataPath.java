package dev.drpo.operators;

import dev.drpo.operators.event.DeadLetter;
import dev.drpo.operators.event.DecoderConfig;
import dev.drpo.operators.event.InteractionDecoder;
import dev.drpo.operators.event.InteractionEvent;
import dev.drpo.operators.event.InteractionEventSerializer;
import dev.drpo.operators.filter.FilterConfig;
import dev.drpo.operators.filter.HardFilterOperator;
import dev.drpo.operators.filter.TrainingSample;
import dev.drpo.operators.quality.QualityConfig;
import dev.drpo.operators.quality.QualitySample;
import dev.drpo.operators.quality.QualitySampleSerializer;
import dev.drpo.operators.session.SessionConfig;
import dev.drpo.operators.session.UserSessionizer;
import dev.drpo.operators.session.UserSessionsOperator;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The first half of the job: raw interaction records in, weighted training samples out.
 * <pre>
 * bytes -> decode/validate --dead letters--> ...
 *       -> event time (watermarks) -> keyBy(user) -> sessions: a sample per step, as soon as its
 *          quality is final --late--> ... --duplicates--> ...
 *       -> keyBy(cohort) -> running-quantile hard filter -> admitted samples
 * </pre>
 * Every record read ends in exactly one place: a quality sample, a dead letter, the late stream,
 * or the duplicate stream. Every stateful operator has a stable uid.
 */
public final class DataPath {

  /**
   * @param decoder validation limits and the reward function
   * @param sessions session gap, allowed lateness, cap
   * @param quality what a sample's quality is and when it is final
   * @param filter the per-cohort hard filter
   */
  public record Config(DecoderConfig decoder, SessionConfig sessions, QualityConfig quality, FilterConfig filter)
      implements Serializable {}

  /**
   * The streams the data path ends in; {@code events} are the decoded interactions, in arrival
   * order, {@code samples} every step's sample before the filter.
   */
  public record Streams(
      DataStream<InteractionEvent> events,
      SingleOutputStreamOperator<TrainingSample> admitted,
      DataStream<QualitySample> samples,
      DataStream<DeadLetter> deadLetters,
      DataStream<InteractionEvent> late,
      DataStream<InteractionEvent> duplicates) {}

  private DataPath() {}

  /**
   * Event time from the events' ts, bounded out-of-orderness, and idleness so that a source
   * partition without traffic cannot hold the watermark back.
   */
  public static WatermarkStrategy<InteractionEvent> watermarks(Duration outOfOrderness, Duration idleness) {
    return WatermarkStrategy.<InteractionEvent>forBoundedOutOfOrderness(outOfOrderness)
        .withTimestampAssigner((event, previous) -> event.ts)
        .withIdleness(idleness);
  }

  public static Streams build(DataStream<byte[]> records, WatermarkStrategy<InteractionEvent> watermarks, Config config) {
    SingleOutputStreamOperator<InteractionEvent> events = records
        .process(new InteractionDecoder(config.decoder()), InteractionEventSerializer.TYPE)
        .uid("decode-interactions").name("decode and validate interactions");
    SingleOutputStreamOperator<QualitySample> samples = events
        .assignTimestampsAndWatermarks(watermarks)
        .uid("event-time").name("event time")
        .keyBy(e -> e.userId)
        .transform("user sessions and step quality", QualitySampleSerializer.TYPE,
            new UserSessionsOperator(config.sessions(), config.quality()))
        .uid("user-sessions");
    SingleOutputStreamOperator<TrainingSample> admitted = samples
        .keyBy(q -> q.cohort)
        .transform("running-quantile hard filter", TypeInformation.of(TrainingSample.class), new HardFilterOperator(config.filter()))
        .uid("hard-filter");
    return new Streams(events, admitted, samples, events.getSideOutput(InteractionDecoder.DEAD_LETTERS),
        samples.getSideOutput(UserSessionizer.LATE), samples.getSideOutput(UserSessionizer.DUPLICATES));
  }
}
