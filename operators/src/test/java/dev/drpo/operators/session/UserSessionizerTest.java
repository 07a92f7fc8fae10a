package dev.drpo.operators.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.drpo.operators.Harnesses;
import dev.drpo.operators.event.InteractionEvent;
import dev.drpo.operators.quality.QualityConfig;
import dev.drpo.operators.quality.QualityConfig.Aggregate;
import dev.drpo.operators.quality.QualityConfig.Granularity;
import dev.drpo.operators.quality.QualitySample;
import java.util.List;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.junit.jupiter.api.Test;

class UserSessionizerTest {
  static final long SECOND = 1_000;
  static final long MINUTE = 60_000;
  static final long BEGINNING = 1_700_000_000_000L;
  static final long HALF_A_MINUTE_LATER = BEGINNING + 30 * SECOND;
  static final long ONE_MINUTE_LATER = BEGINNING + MINUTE;
  static final long TWO_MINUTES_LATER = BEGINNING + 2 * MINUTE;
  static final long FIVE_MINUTES_LATER = BEGINNING + 5 * MINUTE;
  static final long AN_HOUR_LATER = BEGINNING + 60 * MINUTE;
  static final long TWO_HOURS_LATER = BEGINNING + 120 * MINUTE;
  static final SessionConfig THIRTY_MINUTE_GAP = new SessionConfig(30 * MINUTE, 0, 500);
  static final QualityConfig PER_INTERACTION = new QualityConfig(Aggregate.MEAN, 0.9, Granularity.INTERACTION, MINUTE, 20, 2);
  static final QualityConfig ONE_MINUTE_HORIZON = PER_INTERACTION.withGranularity(Granularity.SESSION);

  @Test
  void shouldSendAnInteractionsSampleAtOnceWithTheStepsBeforeIt() throws Exception {
    var harness = harness(THIRTY_MINUTE_GAP, PER_INTERACTION, null);
    harness.processElement(record(event("e1", "alice", "i1", BEGINNING, 0.2)));
    harness.processElement(record(event("e2", "alice", "i2", FIVE_MINUTES_LATER, 0.8)));
    harness.processElement(record(event("e3", "alice", "i3", ONE_MINUTE_LATER, 0.5)));

    List<QualitySample> samples = harness.extractOutputValues();
    assertThat(samples).extracting(q -> q.itemId).containsExactly("i1", "i2", "i3");
    assertThat(samples).extracting(q -> q.quality).containsExactly(0.2, 0.8, 0.5);
    assertThat(samples.get(1).historyItems).containsExactly("i1");
    assertThat(samples.get(2).historyItems).as("an earlier event, late in arrival: the steps before it in event time")
        .containsExactly("i1");
    assertThat(samples.get(2).appendMs).isEqualTo(ONE_MINUTE_LATER + 7);
    assertThat(harness.numEventTimeTimers()).as("the session's end, one timer").isEqualTo(1);
  }

  @Test
  void shouldKeepOnlyTheHistoryLengthOfAnActiveUsersSteps() throws Exception {
    var harness = harness(THIRTY_MINUTE_GAP, PER_INTERACTION, null);
    for (int i = 0; i < 6; i++) {
      harness.processElement(record(event("e" + i, "bob", "i" + i, BEGINNING + i * SECOND, 1)));
    }
    assertThat(last(harness).historyItems).containsExactly("i3", "i4");
    harness.prepareSnapshotPreBarrier(1);
    harness.getOperator().setCurrentKey("bob");
    UserSession kept = harness.getOperator().getKeyedStateBackend()
        .getPartitionedState(org.apache.flink.runtime.state.VoidNamespace.INSTANCE,
            org.apache.flink.runtime.state.VoidNamespaceSerializer.INSTANCE, UserSessionizer.SESSION).value();
    assertThat(kept.steps).extracting(s -> s.itemId).containsExactly("i4", "i5");
    assertThat(kept.events()).isEqualTo(6);
  }

  @Test
  void shouldSendASessionQualitySampleWhenTheWatermarkPassesItsHorizon() throws Exception {
    var harness = harness(THIRTY_MINUTE_GAP, ONE_MINUTE_HORIZON, null);
    harness.processElement(record(event("e1", "carol", "i1", BEGINNING, 0.2)));
    harness.processElement(record(event("e2", "carol", "i2", HALF_A_MINUTE_LATER, 0.6)));
    harness.processElement(record(event("e3", "carol", "i3", TWO_MINUTES_LATER, 1.0)));
    harness.processWatermark(ONE_MINUTE_LATER - 1);
    assertThat(harness.extractOutputValues()).isEmpty();

    harness.processWatermark(ONE_MINUTE_LATER);
    assertThat(harness.extractOutputValues()).singleElement().satisfies(q -> {
      assertThat(q.itemId).isEqualTo("i1");
      assertThat(q.quality).as("the mean of the rewards within its horizon").isCloseTo(0.4, within(1e-12));
    });

    harness.processWatermark(HALF_A_MINUTE_LATER + MINUTE);
    assertThat(harness.extractOutputValues()).extracting(q -> q.quality).containsExactly(0.4, 0.6);
    assertThat(harness.numEventTimeTimers()).as("the next horizon, one timer").isEqualTo(1);
  }

  @Test
  void shouldSendASessionQualitySampleOnceItsLookAheadHoldsTheHorizonSteps() throws Exception {
    QualityConfig threeSteps = new QualityConfig(Aggregate.DISCOUNTED_SUM, 0.5, Granularity.SESSION, MINUTE, 3, 2);
    var harness = harness(THIRTY_MINUTE_GAP, threeSteps, null);
    harness.processElement(record(event("e1", "dave", "i1", BEGINNING, 0.2)));
    harness.processElement(record(event("e2", "dave", "i2", BEGINNING + SECOND, 1.0)));
    assertThat(harness.extractOutputValues()).isEmpty();
    harness.processElement(record(event("e3", "dave", "i3", BEGINNING + 2 * SECOND, 0.6)));

    assertThat(harness.extractOutputValues()).singleElement()
        .satisfies(q -> assertThat(q.quality).isCloseTo(0.2 + 0.5 * 1.0 + 0.25 * 0.6, within(1e-12)));
  }

  @Test
  void shouldSendEveryPendingSampleWhenTheSessionEndsBeforeItsHorizonAndLeaveNothingBehind() throws Exception {
    QualityConfig longerThanTheSession = new QualityConfig(Aggregate.MEAN, 0.9, Granularity.SESSION, 2 * 60 * MINUTE, 20, 2);
    var harness = harness(THIRTY_MINUTE_GAP, longerThanTheSession, null);
    harness.processElement(record(event("e1", "erin", "i1", BEGINNING, 0.2)));
    harness.processElement(record(event("e2", "erin", "i2", FIVE_MINUTES_LATER, 0.8)));
    harness.processWatermark(FIVE_MINUTES_LATER + 30 * MINUTE - 1);
    assertThat(harness.extractOutputValues()).isEmpty();

    harness.processWatermark(FIVE_MINUTES_LATER + 30 * MINUTE);

    assertThat(harness.extractOutputValues()).extracting(q -> q.quality).containsExactly(0.5, 0.8);
    assertNothingLeft(harness);
  }

  @Test
  void shouldEndASessionAtTheGapAndLeaveNothingBehind() throws Exception {
    var harness = harness(THIRTY_MINUTE_GAP, PER_INTERACTION, null);
    harness.processElement(record(event("e1", "fred", "i1", BEGINNING, 1)));
    harness.processElement(record(event("e2", "fred", "i2", FIVE_MINUTES_LATER, 1)));
    harness.processWatermark(FIVE_MINUTES_LATER + 30 * MINUTE - 1);
    assertThat(sessionsInState(harness)).isEqualTo(1);

    harness.processWatermark(FIVE_MINUTES_LATER + 30 * MINUTE);

    assertThat(harness.extractOutputValues()).hasSize(2);
    assertNothingLeft(harness);
  }

  @Test
  void shouldBeginANewSessionAfterTheWatermarkEndsOneAndSendLateEventsAside() throws Exception {
    var harness = harness(THIRTY_MINUTE_GAP, PER_INTERACTION, null);
    harness.processElement(record(event("e1", "gina", "i1", BEGINNING, 1)));
    harness.processWatermark(ONE_MINUTE_LATER + 30 * MINUTE);
    harness.processElement(record(event("e2", "gina", "i2", AN_HOUR_LATER, 1)));
    harness.processElement(record(event("e3", "gina", "i3", ONE_MINUTE_LATER, 1)));
    harness.processWatermark(AN_HOUR_LATER + 30 * MINUTE);

    List<QualitySample> samples = harness.extractOutputValues();
    assertThat(samples).hasSize(2);
    assertThat(samples.get(1).historyItems).as("a new session: no history").isEmpty();
    assertThat(harness.getSideOutput(UserSessionizer.LATE)).extracting(r -> r.getValue().eventId).containsExactly("e3");
    assertNothingLeft(harness);
  }

  @Test
  void shouldSendARepeatedEventIdToDuplicatesAndKeepTheFirst() throws Exception {
    var harness = harness(THIRTY_MINUTE_GAP, PER_INTERACTION, null);
    harness.processElement(record(event("e1", "hank", "i1", BEGINNING, 1)));
    harness.processElement(record(event("e1", "hank", "i1", BEGINNING, 1)));
    harness.processElement(record(event("e2", "hank", "i2", ONE_MINUTE_LATER, 1)));
    harness.processWatermark(TWO_HOURS_LATER);

    assertThat(harness.extractOutputValues()).extracting(q -> q.itemId).containsExactly("i1", "i2");
    assertThat(harness.getSideOutput(UserSessionizer.DUPLICATES)).hasSize(1);
    assertNothingLeft(harness);
  }

  @Test
  void shouldEndASessionWhenItReachesTheCapLosingNothing() throws Exception {
    var harness = harness(new SessionConfig(30 * MINUTE, 0, 3), ONE_MINUTE_HORIZON, null);
    for (int i = 0; i < 7; i++) {
      harness.processElement(record(event("e" + i, "ivan", "i" + i, BEGINNING + i * SECOND, i)));
    }
    assertThat(harness.extractOutputValues()).as("two sessions ended at the cap").extracting(q -> q.quality)
        .containsExactly(1.0, 1.5, 2.0, 4.0, 4.5, 5.0);
    harness.processWatermark(TWO_HOURS_LATER);
    assertThat(harness.extractOutputValues()).hasSize(7);
    assertNothingLeft(harness);
  }

  @Test
  void shouldSendARetriedEventOfASessionTheCapEndedToTheDuplicates() throws Exception {
    var harness = harness(new SessionConfig(30 * MINUTE, 0, 3), PER_INTERACTION, null);
    harness.processElement(record(event("e1", "kim", "i1", BEGINNING, 0.1)));
    harness.processElement(record(event("e2", "kim", "i2", HALF_A_MINUTE_LATER, 0.2)));
    harness.processElement(record(event("e3", "kim", "i3", ONE_MINUTE_LATER, 0.3)));
    harness.processElement(record(event("e2", "kim", "i2", HALF_A_MINUTE_LATER, 0.2)));
    harness.processElement(record(event("e4", "kim", "i4", TWO_MINUTES_LATER, 0.4)));

    assertThat(harness.getSideOutput(UserSessionizer.DUPLICATES)).extracting(r -> r.getValue().eventId).containsExactly("e2");
    assertThat(harness.extractOutputValues()).extracting(q -> q.itemId).containsExactly("i1", "i2", "i3", "i4");
    assertThat(harness.extractOutputValues().get(3).historyItems).as("a new session").isEmpty();
    harness.processWatermark(TWO_HOURS_LATER);
    assertNothingLeft(harness);
  }

  @Test
  void shouldRecogniseARetryOfTheSessionCappedBeforeTheLastCappedOne() throws Exception {
    var harness = harness(new SessionConfig(30 * MINUTE, 0, 2), PER_INTERACTION, null);
    for (int i = 1; i <= 4; i++) {
      harness.processElement(record(event("e" + i, "max", "i" + i, BEGINNING + i * SECOND, 0.1)));
    }
    harness.processElement(record(event("e1", "max", "i1", BEGINNING + SECOND, 0.1)));

    assertThat(harness.getSideOutput(UserSessionizer.DUPLICATES)).extracting(r -> r.getValue().eventId).containsExactly("e1");
    assertThat(harness.extractOutputValues()).hasSize(4);
    harness.processWatermark(TWO_HOURS_LATER);
    assertNothingLeft(harness);
  }

  @Test
  void shouldForgetACappedSessionsIdsOnceItsGapHasPassed() throws Exception {
    var harness = harness(new SessionConfig(30 * MINUTE, 0, 2), PER_INTERACTION, null);
    harness.processElement(record(event("e1", "lea", "i1", BEGINNING, 0.1)));
    harness.processElement(record(event("e2", "lea", "i2", ONE_MINUTE_LATER, 0.2)));
    assertThat(harness.numEventTimeTimers()).as("the capped session's ids wait for its gap").isEqualTo(1);
    harness.processWatermark(AN_HOUR_LATER);
    assertNothingLeft(harness);
    assertThat(harness.extractOutputValues()).hasSize(2);
  }

  @Test
  void shouldWaitForAllowedLatenessBeforeEndingASession() throws Exception {
    var harness = harness(new SessionConfig(30 * MINUTE, 10 * MINUTE, 500), PER_INTERACTION, null);
    harness.processElement(record(event("e1", "jane", "i1", BEGINNING, 1)));
    harness.processWatermark(BEGINNING + 35 * MINUTE);
    harness.processElement(record(event("e2", "jane", "i2", ONE_MINUTE_LATER, 1)));
    harness.processWatermark(BEGINNING + 40 * MINUTE);
    assertThat(harness.extractOutputValues().get(1).historyItems).as("the same session").containsExactly("i1");
    assertThat(sessionsInState(harness)).isEqualTo(1);

    harness.processWatermark(ONE_MINUTE_LATER + 40 * MINUTE);
    assertThat(harness.getSideOutput(UserSessionizer.LATE)).isNull();
    assertNothingLeft(harness);
  }

  @Test
  void shouldTouchAnActiveUsersTimerOncePerGapNotPerEvent() throws Exception {
    var harness = harness(THIRTY_MINUTE_GAP, PER_INTERACTION, null);
    for (int i = 0; i < 100; i++) {
      long t = BEGINNING + i * MINUTE;
      harness.processElement(record(event("e" + i, "kate", "i" + i, t, 1)));
      harness.processWatermark(t);
      assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    }
    assertThat(harness.extractOutputValues()).hasSize(100);
    harness.processWatermark(BEGINNING + 99 * MINUTE + 30 * MINUTE);
    assertNothingLeft(harness);
  }

  @Test
  void shouldGiveIdenticalSamplesAfterASnapshotAndRestoreBeforeTheHorizon() throws Exception {
    List<InteractionEvent> first = List.of(event("e1", "u1", "i1", BEGINNING, 0.1), event("e2", "u2", "i2", HALF_A_MINUTE_LATER, 0.2));
    List<InteractionEvent> second = List.of(event("e3", "u1", "i3", HALF_A_MINUTE_LATER, 0.3), event("e4", "u2", "i4", AN_HOUR_LATER, 0.4),
        event("e1", "u1", "i1", BEGINNING, 0.1));

    var uninterrupted = harness(THIRTY_MINUTE_GAP, ONE_MINUTE_HORIZON, null);
    feed(uninterrupted, first);
    feed(uninterrupted, second);
    uninterrupted.processWatermark(TWO_HOURS_LATER);

    var before = harness(THIRTY_MINUTE_GAP, ONE_MINUTE_HORIZON, null);
    feed(before, first);
    before.prepareSnapshotPreBarrier(1); // as a checkpoint does, before it takes the snapshot
    OperatorSubtaskState snapshot = before.snapshot(1, 1);
    before.close();
    var after = harness(THIRTY_MINUTE_GAP, ONE_MINUTE_HORIZON, snapshot);
    feed(after, second);
    after.processWatermark(TWO_HOURS_LATER);

    assertThat(after.extractOutputValues()).hasSize(4).usingRecursiveFieldByFieldElementComparator(Harnesses.fieldByField())
        .containsExactlyInAnyOrderElementsOf(uninterrupted.extractOutputValues());
    assertThat(after.getSideOutput(UserSessionizer.DUPLICATES)).as("a duplicate of an event from before the restore").hasSize(1);
    assertNothingLeft(after);
  }

  @Test
  void shouldWriteTheLeastRecentlyUsedSessionToStateWhenTheHeapIsFullAndReadItBack() throws Exception {
    var harness = harness(THIRTY_MINUTE_GAP, PER_INTERACTION, null);
    for (int u = 0; u <= UserSessionsOperator.HELD_SESSIONS; u++) {
      harness.processElement(record(event("first-" + u, "user-" + u, "i" + u, BEGINNING + u, 0.5)));
    }
    assertThat(Harnesses.keysWithState(harness, UserSessionizer.SESSION)).as("only the one pushed out, before any barrier")
        .isEqualTo(1);

    harness.processElement(record(event("second-0", "user-0", "j0", ONE_MINUTE_LATER, 0.5)));
    assertThat(last(harness).historyItems).as("its session, read back from state").containsExactly("i0");
    harness.processElement(record(event("first-0", "user-0", "i0", BEGINNING, 0.5)));
    assertThat(harness.getSideOutput(UserSessionizer.DUPLICATES)).hasSize(1);
    harness.processWatermark(TWO_HOURS_LATER);
    assertNothingLeft(harness);
  }

  @Test
  void shouldCarryOverTheSessionsASavepointOfAnEarlierBuildBuffered() throws Exception {
    var earlier = Harnesses.keyed(new EarlierBuildSessions(THIRTY_MINUTE_GAP), (InteractionEvent e) -> e.userId, null);
    feed(earlier, List.of(event("e1", "alice", "i1", BEGINNING, 0.2), event("e2", "alice", "i2", HALF_A_MINUTE_LATER, 0.6),
        event("e1", "alice", "i1", BEGINNING, 0.2), event("e3", "bob", "i3", ONE_MINUTE_LATER, 0.9),
        event("e5", "carol", "i5", BEGINNING, 0.1)));
    OperatorSubtaskState savepoint = earlier.snapshot(1, 1);
    earlier.close();

    var restored = harness(THIRTY_MINUTE_GAP, PER_INTERACTION, savepoint);
    restored.processElement(record(event("e4", "alice", "i4", TWO_MINUTES_LATER, 0.4)));
    assertThat(restored.extractOutputValues()).extracting(q -> q.itemId).containsExactly("i1", "i2", "i4");
    assertThat(last(restored).historyItems).as("the buffered steps are the new one's history").containsExactly("i1", "i2");
    assertThat(restored.getSideOutput(UserSessionizer.DUPLICATES)).as("the buffered copy of e1").hasSize(1);

    restored.processElement(record(event("e5", "carol", "i5", BEGINNING, 0.1)));
    assertThat(restored.getSideOutput(UserSessionizer.DUPLICATES)).as("a retry of carol's buffered event, her first after").hasSize(2);

    restored.processWatermark(ONE_MINUTE_LATER + 30 * MINUTE);
    assertThat(restored.extractOutputValues()).extracting(q -> q.itemId).as("bob's and carol's buffered events, at the timers")
        .contains("i3", "i5");
    restored.processWatermark(TWO_HOURS_LATER);
    assertThat(restored.extractOutputValues()).hasSize(5);
    assertNothingLeft(restored);
    assertThat(Harnesses.keysWithState(restored, BufferedSessions.BUFFER, BufferedSessions.PENDING)).isZero();
  }

  @Test
  void shouldGoOnWithSessionsASavepointKeptWithThePojoSerializer() throws Exception {
    var earlier = Harnesses.keyed(new PojoSessions(), (InteractionEvent e) -> e.userId, null);
    earlier.processElement(record(event("e1", "alice", "i1", BEGINNING, 0.2)));
    OperatorSubtaskState savepoint = earlier.snapshot(1, 1);
    earlier.close();

    var restored = harness(THIRTY_MINUTE_GAP, PER_INTERACTION, savepoint);
    restored.processElement(record(event("e1", "alice", "i1", BEGINNING, 0.2)));
    restored.processElement(record(event("e2", "alice", "i2", ONE_MINUTE_LATER, 0.4)));
    assertThat(restored.getSideOutput(UserSessionizer.DUPLICATES)).as("e1 was in the session the savepoint kept").hasSize(1);
    assertThat(restored.extractOutputValues()).singleElement().satisfies(q -> {
      assertThat(q.itemId).isEqualTo("i2");
      assertThat(q.historyItems).containsExactly("i1");
    });
    restored.processWatermark(TWO_HOURS_LATER);
    assertNothingLeft(restored);
  }

  /** The sessions stage as builds before the session's own serializer kept it: the same value, by Flink's POJO serializer. */
  static final class PojoSessions extends KeyedProcessFunction<String, InteractionEvent, QualitySample> {
    @Override
    public void processElement(InteractionEvent event, Context ctx, Collector<QualitySample> out) throws Exception {
      UserSession s = UserSession.beginningWith(event);
      s.add(event);
      s.steps[0].pending = false; // its sample left
      s.timer = event.ts + THIRTY_MINUTE_GAP.gapMs();
      ctx.timerService().registerEventTimeTimer(s.timer);
      getRuntimeContext().getState(new ValueStateDescriptor<>(UserSessionizer.SESSION.getName(), UserSession.class)).update(s);
    }
  }

  /** The sessions stage of builds before 2 Dec 2026, as far as its state goes: buffered events and one close timer. */
  static final class EarlierBuildSessions extends KeyedProcessFunction<String, InteractionEvent, QualitySample> {
    private final SessionConfig sessions;

    EarlierBuildSessions(SessionConfig sessions) {
      this.sessions = sessions;
    }

    @Override
    public void processElement(InteractionEvent event, Context ctx, Collector<QualitySample> out) throws Exception {
      getRuntimeContext().getListState(BufferedSessions.BUFFER).add(event);
      ValueState<UserSessionizer.Pending> pending = getRuntimeContext().getState(BufferedSessions.PENDING);
      UserSessionizer.Pending p = pending.value() == null ? new UserSessionizer.Pending() : pending.value();
      p.events++;
      p.closeAt = Math.max(p.closeAt, event.ts + sessions.gapMs() + sessions.allowedLatenessMs());
      ctx.timerService().registerEventTimeTimer(p.closeAt);
      pending.update(p);
    }
  }

  /** Users with a session in keyed state, once the sessions on the heap are written there (as before a barrier). */
  static long sessionsInState(KeyedOneInputStreamOperatorTestHarness<String, InteractionEvent, QualitySample> harness)
      throws Exception {
    harness.prepareSnapshotPreBarrier(0);
    return Harnesses.keysWithState(harness, UserSessionizer.SESSION);
  }

  static void assertNothingLeft(KeyedOneInputStreamOperatorTestHarness<String, InteractionEvent, QualitySample> harness)
      throws Exception {
    assertThat(sessionsInState(harness)).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  static QualitySample last(KeyedOneInputStreamOperatorTestHarness<String, InteractionEvent, QualitySample> harness) {
    List<QualitySample> out = harness.extractOutputValues();
    return out.get(out.size() - 1);
  }

  static void feed(KeyedOneInputStreamOperatorTestHarness<String, InteractionEvent, QualitySample> h, List<InteractionEvent> events)
      throws Exception {
    for (InteractionEvent e : events) {
      h.processElement(record(e));
    }
  }

  static KeyedOneInputStreamOperatorTestHarness<String, InteractionEvent, QualitySample> harness(SessionConfig sessions,
      QualityConfig quality, OperatorSubtaskState state) throws Exception {
    var harness = new KeyedOneInputStreamOperatorTestHarness<>(new UserSessionsOperator(sessions, quality),
        (InteractionEvent e) -> e.userId, Types.STRING);
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    if (state != null) {
      harness.initializeState(state);
    }
    harness.open();
    return harness;
  }

  static StreamRecord<InteractionEvent> record(InteractionEvent e) {
    return new StreamRecord<>(e, e.ts);
  }

  /** An event appended to Kafka 7 ms after it happened. */
  static InteractionEvent event(String id, String user, String item, long ts, double reward) {
    InteractionEvent e = new InteractionEvent(id, user, item, ts, reward, null);
    e.appendMs = ts + 7;
    return e;
  }
}
