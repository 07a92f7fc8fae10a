package dev.drpo.operators.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.operators.Harnesses;
import dev.drpo.operators.event.InteractionEvent;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class UserSessionizerTest {
  static final long MINUTE = 60_000;
  static final long BEGINNING = 1_700_000_000_000L;
  static final long ONE_MINUTE_LATER = BEGINNING + MINUTE;
  static final long FIVE_MINUTES_LATER = BEGINNING + 5 * MINUTE;
  static final long AN_HOUR_LATER = BEGINNING + 60 * MINUTE;
  static final long TWO_HOURS_LATER = BEGINNING + 120 * MINUTE;
  static final StateDescriptor<?, ?>[] STATES = {UserSessionizer.BUFFER, UserSessionizer.PENDING};
  static final SessionConfig THIRTY_MINUTE_GAP = new SessionConfig(30 * MINUTE, 0, 500);

  @Test
  void shouldEmitASessionWhenTheWatermarkPassesItsGapAndLeaveNothingBehind() throws Exception {
    var harness = harness(THIRTY_MINUTE_GAP, null);
    harness.processElement(record(event("e1", "alice", "i1", BEGINNING, 0.2)));
    harness.processElement(record(event("e2", "alice", "i2", FIVE_MINUTES_LATER, 0.8)));
    harness.processElement(record(event("e3", "alice", "i3", ONE_MINUTE_LATER, 0.5)));
    harness.processWatermark(FIVE_MINUTES_LATER + 30 * MINUTE - 1);
    assertThat(harness.extractOutputValues()).isEmpty();
    assertThat(Harnesses.keysWithState(harness, STATES)).isEqualTo(1);
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);

    harness.processWatermark(FIVE_MINUTES_LATER + 30 * MINUTE);

    Session s = single(harness.extractOutputValues());
    assertThat(s.userId).isEqualTo("alice");
    assertThat(Arrays.stream(s.steps).map(step -> step.itemId)).containsExactly("i1", "i3", "i2");
    assertThat(s.start).isEqualTo(BEGINNING);
    assertThat(s.end).isEqualTo(FIVE_MINUTES_LATER);
    assertThat(Harnesses.keysWithState(harness, STATES)).isZero();
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void shouldSplitSessionsAtTheGapAndSendLateEventsAside() throws Exception {
    var harness = harness(THIRTY_MINUTE_GAP, null);
    harness.processElement(record(event("e1", "bob", "i1", BEGINNING, 1)));
    harness.processElement(record(event("e2", "bob", "i2", AN_HOUR_LATER, 1)));
    harness.processWatermark(AN_HOUR_LATER + 30 * MINUTE);
    harness.processElement(record(event("e3", "bob", "i3", ONE_MINUTE_LATER, 1)));

    assertThat(harness.extractOutputValues()).hasSize(2);
    assertThat(harness.getSideOutput(UserSessionizer.LATE)).extracting(r -> r.getValue().eventId).containsExactly("e3");
    assertThat(Harnesses.keysWithState(harness, STATES)).isZero();
  }

  @Test
  void shouldDropARepeatedEventIdOnceAndSendItToDuplicates() throws Exception {
    var harness = harness(THIRTY_MINUTE_GAP, null);
    harness.processElement(record(event("e1", "carol", "i1", BEGINNING, 1)));
    harness.processElement(record(event("e1", "carol", "i1", BEGINNING, 1)));
    harness.processElement(record(event("e2", "carol", "i2", ONE_MINUTE_LATER, 1)));
    harness.processWatermark(TWO_HOURS_LATER);

    assertThat(single(harness.extractOutputValues()).steps).hasSize(2);
    assertThat(harness.getSideOutput(UserSessionizer.DUPLICATES)).hasSize(1);
  }

  @Test
  void shouldEmitEarlyWhenAUserReachesTheCapLosingNothing() throws Exception {
    var harness = harness(new SessionConfig(30 * MINUTE, 0, 3), null);
    for (int i = 0; i < 7; i++) {
      harness.processElement(record(event("e" + i, "dave", "i" + i, BEGINNING + i * MINUTE, 1)));
    }
    harness.processWatermark(TWO_HOURS_LATER);
    List<Session> sessions = harness.extractOutputValues();
    assertThat(sessions).extracting(s -> s.steps.length).containsExactly(3, 3, 1);
    assertThat(Harnesses.keysWithState(harness, STATES)).isZero();
  }

  @Test
  void shouldWaitForAllowedLatenessBeforeClosing() throws Exception {
    var harness = harness(new SessionConfig(30 * MINUTE, 10 * MINUTE, 500), null);
    harness.processElement(record(event("e1", "erin", "i1", BEGINNING, 1)));
    harness.processWatermark(BEGINNING + 35 * MINUTE);
    harness.processElement(record(event("e2", "erin", "i2", ONE_MINUTE_LATER, 1)));
    harness.processWatermark(BEGINNING + 40 * MINUTE);
    assertThat(harness.extractOutputValues()).isEmpty();
    harness.processWatermark(ONE_MINUTE_LATER + 40 * MINUTE);
    assertThat(single(harness.extractOutputValues()).steps).hasSize(2);
    assertThat(harness.getSideOutput(UserSessionizer.LATE)).isNull();
  }

  @Test
  void shouldGiveIdenticalSessionsAfterASnapshotAndRestoreMidSession() throws Exception {
    List<InteractionEvent> first = List.of(event("e1", "u1", "i1", BEGINNING, 0.1), event("e2", "u2", "i2", ONE_MINUTE_LATER, 0.2));
    List<InteractionEvent> second = List.of(event("e3", "u1", "i3", FIVE_MINUTES_LATER, 0.3), event("e4", "u2", "i4", AN_HOUR_LATER, 0.4));

    var uninterrupted = harness(THIRTY_MINUTE_GAP, null);
    feed(uninterrupted, first);
    feed(uninterrupted, second);
    uninterrupted.processWatermark(TWO_HOURS_LATER);

    var before = harness(THIRTY_MINUTE_GAP, null);
    feed(before, first);
    OperatorSubtaskState snapshot = before.snapshot(1, 1);
    before.close();
    var after = harness(THIRTY_MINUTE_GAP, snapshot);
    feed(after, second);
    after.processWatermark(TWO_HOURS_LATER);

    assertThat(after.extractOutputValues()).usingRecursiveFieldByFieldElementComparator(Harnesses.fieldByField())
        .containsExactlyInAnyOrderElementsOf(uninterrupted.extractOutputValues());
    assertThat(Harnesses.keysWithState(after, STATES)).isZero();
    assertThat(after.numEventTimeTimers()).isZero();
  }

  static void feed(KeyedOneInputStreamOperatorTestHarness<String, InteractionEvent, Session> h, List<InteractionEvent> events) throws Exception {
    for (InteractionEvent e : events) {
      h.processElement(record(e));
    }
  }

  static KeyedOneInputStreamOperatorTestHarness<String, InteractionEvent, Session> harness(SessionConfig config, OperatorSubtaskState state) throws Exception {
    return Harnesses.keyed(new UserSessionizer(config), e -> e.userId, state);
  }

  static Session single(List<Session> sessions) {
    assertThat(sessions).hasSize(1);
    return sessions.get(0);
  }

  static StreamRecord<InteractionEvent> record(InteractionEvent e) {
    return new StreamRecord<>(e, e.ts);
  }

  static InteractionEvent event(String id, String user, String item, long ts, double reward) {
    return new InteractionEvent(id, user, item, ts, reward, null);
  }
}
