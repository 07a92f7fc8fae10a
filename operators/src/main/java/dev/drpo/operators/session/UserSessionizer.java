package dev.drpo.operators.session;

import dev.drpo.operators.event.InteractionEvent;
import dev.drpo.operators.quality.QualityConfig;
import dev.drpo.operators.quality.QualitySample;
import dev.drpo.operators.state.WriteBackCache;
import dev.drpo.operators.state.WritesBack;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Event-time user sessions, keyed by userId, that let each step's training sample leave as soon as
 * its quality is final ({@link QualityConfig}): with INTERACTION granularity when the event is
 * processed; with SESSION granularity when the watermark passes the step's time + horizon, when its
 * look-ahead holds horizonSteps steps, or when its session ends, whichever comes first. A sample
 * carries the L steps before it in the session as its history.
 *
 * <p>A session ends when the watermark passes its last event + gap + allowed lateness (its state is
 * then cleared and its timer gone), or when it holds maxEventsPerSession events: then the user's
 * next event begins a new session, and until the watermark passes the capped session's last event
 * + gap + lateness the user's state keeps the capped session's event ids, so a retried event of it
 * is still a duplicate ({@link UserSession#afterCapped}). (Only the watermark ends a session on a gap: an event that comes
 * out of order more than the gap after the session's last one joins it, so a replay whose parallel
 * readers run apart still finds every duplicate.) An event too
 * old to join an open session (ts + gap + lateness <= watermark) goes to {@link #LATE}; a repeated
 * eventId within a session goes to {@link #DUPLICATES} (the first copy stays). Every input event
 * thus ends in exactly one of: a sample, LATE, DUPLICATES.
 *
 * <p>Per user one {@link UserSession} value, held on the heap while the user is active and written to
 * keyed state before each checkpoint barrier ({@link WriteBackCache}, {@link UserSessionsOperator}), and
 * one event-time timer, moved lazily: a timer that fires before it is needed is registered again for the new
 * deadline, so an active user's timer is touched once per gap (or horizon), not per event.
 * Counters: samples, sessions (ended), lateEvents, duplicateEvents. A savepoint of an earlier
 * build's sessions stage restores too ({@link BufferedSessions}).
 */
public class UserSessionizer extends KeyedProcessFunction<String, InteractionEvent, QualitySample> implements WritesBack {
  public static final OutputTag<InteractionEvent> LATE = new OutputTag<>("late-events") {};
  public static final OutputTag<InteractionEvent> DUPLICATES = new OutputTag<>("duplicate-events") {};
  /** Keyed per user: the open session. */
  public static final ValueStateDescriptor<UserSession> SESSION =
      new ValueStateDescriptor<>("session", UserSessionSerializer.INSTANCE);

  private final SessionConfig sessions;
  private final QualityConfig quality;
  private transient KeyContext keys;
  private transient WriteBackCache<UserSession> cache;
  /** Null unless the job was restored from a savepoint of an earlier build with buffered sessions. */
  private transient BufferedSessions earlierBuilds;
  private transient Counter samples;
  private transient Counter ended;
  private transient Counter late;
  private transient Counter duplicates;

  public UserSessionizer(SessionConfig sessions, QualityConfig quality) {
    this.sessions = sessions;
    this.quality = quality;
  }

  @Override
  public void keysFrom(KeyContext operator) {
    keys = operator;
  }

  @Override
  public void open(OpenContext openContext) {
    if (keys == null) {
      throw new IllegalStateException(
          "run the sessionizer with UserSessionsOperator: it writes the sessions to state before each barrier");
    }
    cache = new WriteBackCache<>(getRuntimeContext().getState(SESSION), keys, UserSessionSerializer.INSTANCE::copy,
        UserSessionsOperator.HELD_SESSIONS);
    samples = getRuntimeContext().getMetricGroup().counter("samples");
    ended = getRuntimeContext().getMetricGroup().counter("sessions");
    late = getRuntimeContext().getMetricGroup().counter("lateEvents");
    duplicates = getRuntimeContext().getMetricGroup().counter("duplicateEvents");
  }

  @Override
  public void processElement(InteractionEvent event, Context ctx, Collector<QualitySample> out) throws Exception {
    long watermark = ctx.timerService().currentWatermark();
    if (event.ts + sessions.gapMs() + sessions.allowedLatenessMs() <= watermark) {
      late.inc();
      ctx.output(LATE, event);
      return;
    }
    UserSession s = current(ctx);
    if (s == null) {
      s = UserSession.beginningWith(event);
    }
    if (!s.add(event)) {
      duplicates.inc();
      ctx.output(DUPLICATES, event);
      return;
    }
    if (s.events() >= sessions.maxEventsPerSession()) {
      end(s, ctx.getCurrentKey(), watermark, out);
      UserSession next = UserSession.afterCapped(s);
      next.timer = s.timer;
      keep(next, ctx);
      return;
    }
    s.emitFinal(ctx.getCurrentKey(), quality, watermark, false, q -> emit(q, out));
    keep(s, ctx);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<QualitySample> out) throws Exception {
    UserSession s = current(ctx);
    if (s == null) {
      return;
    }
    s.timer = UserSession.NO_TIMER;
    long watermark = ctx.timerService().currentWatermark();
    if (s.end + sessions.gapMs() + sessions.allowedLatenessMs() <= watermark) {
      if (s.events() > 0) { // else only a capped session's ids, kept until now
        end(s, ctx.getCurrentKey(), watermark, out);
      }
      cache.remove(ctx.getCurrentKey());
      return;
    }
    s.emitFinal(ctx.getCurrentKey(), quality, watermark, false, q -> emit(q, out));
    keep(s, ctx);
  }

  /** The user's open session, or the one a savepoint of an earlier build buffered; null if none. */
  private UserSession current(Context ctx) throws Exception {
    UserSession s = cache.get(ctx.getCurrentKey());
    if (s == null && earlierBuilds != null) {
      s = earlierBuilds.carryOver(e -> {
        duplicates.inc();
        ctx.output(DUPLICATES, e);
      });
      if (s != null) { // its old state is gone: it is this user's session from now on, whatever the event
        cache.changed(ctx.getCurrentKey(), s);
      }
    }
    return s;
  }

  /** The job was restored with an earlier build's buffered sessions: each user's are taken over on its first touch. */
  void carryOverEarlierBuilds() {
    earlierBuilds = new BufferedSessions(getRuntimeContext());
  }

  @Override
  public void writeBack() {
    cache.writeBack();
  }

  /** Keeps the session, with its timer at its deadline (moved only when that comes earlier). */
  private void keep(UserSession s, Context ctx) {
    TimerService timers = ctx.timerService();
    s.dropUnneeded(quality.historyLength());
    long deadline = s.deadline(sessions, quality);
    if (s.timer == UserSession.NO_TIMER || deadline < s.timer) {
      deleteTimer(timers, s);
      timers.registerEventTimeTimer(deadline);
      s.timer = deadline;
    }
    cache.changed(ctx.getCurrentKey(), s);
  }

  private static void deleteTimer(TimerService timers, UserSession s) {
    if (s.timer != UserSession.NO_TIMER) {
      timers.deleteEventTimeTimer(s.timer);
      s.timer = UserSession.NO_TIMER;
    }
  }

  /** The session is over: every pending step's sample leaves with the look-ahead it has. */
  private void end(UserSession s, String userId, long watermark, Collector<QualitySample> out) {
    s.emitFinal(userId, quality, watermark, true, q -> emit(q, out));
    ended.inc();
  }

  private void emit(QualitySample q, Collector<QualitySample> out) {
    samples.inc();
    out.collect(q);
  }

  /**
   * The {@code pending} state of builds before 2 Dec 2026; kept under this name so that their
   * savepoints restore ({@link BufferedSessions}).
   */
  public static class Pending {
    public int events;
    public long closeAt = UserSession.NO_TIMER;

    public Pending() {}
  }
}
