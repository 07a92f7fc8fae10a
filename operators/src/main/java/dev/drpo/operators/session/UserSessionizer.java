package dev.drpo.operators.session;

import dev.drpo.operators.event.InteractionEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Event-time user sessions, keyed by userId. Keeps, per user, the buffered events of sessions not
 * yet closed, and their count with the time of the one event-time timer that closes them
 * ({@link Pending}); all of it is cleared when the last buffered session is emitted, so an idle
 * user leaves nothing behind.
 *
 * <p>A session closes when the watermark passes its last event + gap + allowed lateness. An event
 * too old to join any open session (ts + gap + lateness <= watermark) goes to {@link #LATE}. A
 * repeated eventId within a session goes to {@link #DUPLICATES} (the first copy stays). When a
 * user has maxEventsPerSession events buffered, everything buffered is emitted at once. An event
 * that arrives after the session it would have extended was emitted starts a new session.
 * Every input event thus ends in exactly one of: a session step, LATE, DUPLICATES.
 */
public class UserSessionizer extends KeyedProcessFunction<String, InteractionEvent, Session> {
  public static final OutputTag<InteractionEvent> LATE = new OutputTag<>("late-events") {};
  public static final OutputTag<InteractionEvent> DUPLICATES = new OutputTag<>("duplicate-events") {};
  /** Keyed per user: the events of the open session. */
  public static final ListStateDescriptor<InteractionEvent> BUFFER = new ListStateDescriptor<>("buffer", InteractionEvent.class);
  /** Keyed per user: the open session's bounds and its close timer. */
  public static final ValueStateDescriptor<Pending> PENDING = new ValueStateDescriptor<>("pending", Pending.class);

  private final SessionConfig config;
  private transient ListState<InteractionEvent> buffer;
  private transient ValueState<Pending> pending;
  private transient Counter sessions;
  private transient Counter late;
  private transient Counter duplicates;

  public UserSessionizer(SessionConfig config) {
    this.config = config;
  }

  @Override
  public void open(OpenContext openContext) {
    buffer = getRuntimeContext().getListState(BUFFER);
    pending = getRuntimeContext().getState(PENDING);
    sessions = getRuntimeContext().getMetricGroup().counter("sessions");
    late = getRuntimeContext().getMetricGroup().counter("lateEvents");
    duplicates = getRuntimeContext().getMetricGroup().counter("duplicateEvents");
  }

  @Override
  public void processElement(InteractionEvent event, Context ctx, Collector<Session> out) throws Exception {
    if (event.ts + config.gapMs() + config.allowedLatenessMs() <= ctx.timerService().currentWatermark()) {
      late.inc();
      ctx.output(LATE, event);
      return;
    }
    buffer.add(event);
    Pending p = pending.value();
    if (p == null) {
      p = new Pending();
    }
    p.events++;
    if (p.events >= config.maxEventsPerSession()) {
      pending.update(p);
      emit(ctx, out, Long.MAX_VALUE);
      return;
    }
    long closeAt = event.ts + config.gapMs() + config.allowedLatenessMs();
    if (closeAt > p.closeAt) {
      if (p.closeAt != Pending.NO_TIMER) {
        ctx.timerService().deleteEventTimeTimer(p.closeAt);
      }
      ctx.timerService().registerEventTimeTimer(closeAt);
      p.closeAt = closeAt;
    }
    pending.update(p);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Session> out) throws Exception {
    Pending p = pending.value();
    p.closeAt = Pending.NO_TIMER;
    pending.update(p);
    emit(ctx, out, timestamp);
  }

  /** Emits every buffered session that closes at or before {@code until}; keeps and re-times the rest. */
  private void emit(Context ctx, Collector<Session> out, long until) throws Exception {
    List<InteractionEvent> events = new ArrayList<>();
    buffer.get().forEach(events::add);
    events.sort(Comparator.comparingLong((InteractionEvent e) -> e.ts).thenComparing(e -> e.eventId));
    List<InteractionEvent> keep = new ArrayList<>();
    int from = 0;
    for (int i = 1; i <= events.size(); i++) {
      if (i == events.size() || events.get(i).ts - events.get(i - 1).ts > config.gapMs()) {
        List<InteractionEvent> run = events.subList(from, i);
        if (run.get(run.size() - 1).ts + config.gapMs() + config.allowedLatenessMs() <= until) {
          out.collect(session(ctx.getCurrentKey(), run, ctx));
          sessions.inc();
        } else {
          keep.addAll(run);
        }
        from = i;
      }
    }
    Pending p = pending.value();
    if (p.closeAt != Pending.NO_TIMER) {
      ctx.timerService().deleteEventTimeTimer(p.closeAt);
    }
    if (keep.isEmpty()) {
      buffer.clear();
      pending.clear();
    } else {
      buffer.update(keep);
      p.events = keep.size();
      p.closeAt = keep.get(keep.size() - 1).ts + config.gapMs() + config.allowedLatenessMs();
      ctx.timerService().registerEventTimeTimer(p.closeAt);
      pending.update(p);
    }
  }

  /** How many events a user has buffered, and when the timer that closes them fires. */
  public static class Pending {
    static final long NO_TIMER = Long.MIN_VALUE;

    public int events;
    public long closeAt = NO_TIMER;

    public Pending() {}
  }

  private Session session(String userId, List<InteractionEvent> run, Context ctx) {
    Set<String> seen = new HashSet<>();
    List<SessionStep> steps = new ArrayList<>();
    Session s = new Session();
    s.userId = userId;
    for (InteractionEvent e : run) {
      if (!seen.add(e.eventId)) {
        duplicates.inc();
        ctx.output(DUPLICATES, e);
        continue;
      }
      steps.add(new SessionStep(e.eventId, e.itemId, e.reward, e.ts, e.policyVersion));
      s.cohort = e.cohortOrDefault();
      if (e.userFeatures != null) {
        s.userFeatures = e.userFeatures;
      }
    }
    s.steps = steps.toArray(SessionStep[]::new);
    s.start = run.get(0).ts;
    s.end = run.get(run.size() - 1).ts;
    return s;
  }
}
