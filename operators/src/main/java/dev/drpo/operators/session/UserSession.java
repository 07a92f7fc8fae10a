package dev.drpo.operators.session;

import dev.drpo.operators.event.InteractionEvent;
import dev.drpo.operators.quality.QualityConfig;
import dev.drpo.operators.quality.QualitySample;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import org.apache.datasketches.hash.MurmurHash3;

/**
 * A user's open session, as the sessions stage keeps it in keyed state (one value per user, read
 * and written once per event): what the session's samples need and no more.
 *
 * <ul>
 *   <li>{@link #eventIds}: a 64-bit hash of every event id of the session, to send a repeated one
 *       to the duplicates (two different ids of one session collide with odds of about n^2 / 2^65);
 *   <li>{@link #steps}: in event-time order, every step whose sample has not left yet (pending)
 *       and every step after it (their look-ahead), and the L steps before the first of them (their
 *       history); older steps are dropped;
 *   <li>{@link #earlierIds}: the ids of the session that {@code maxEventsPerSession} ended just
 *       before this one, so a retried event of it is still a duplicate (not a new session's sample)
 *       until the watermark passes that session's end + gap;
 *   <li>{@link #timer}: the one event-time timer the user has, when it fires.
 * </ul>
 * Plain logic on one user's session; the {@link UserSessionizer} keeps it in state and owns the timer.
 */
public class UserSession {
  public static final long NO_TIMER = Long.MIN_VALUE;
  private static final long HASH_SEED = 0x5eed;

  public String cohort;
  /** The latest user features seen in the session, or null. */
  public float[] userFeatures;
  public long start;
  /** The latest event time in the session. */
  public long end;
  public long[] eventIds;
  /** Ids of the capped session before this one, and of the one capped before it (null or empty: none). */
  public long[] earlierIds;
  public SessionStep[] steps;
  public long timer = NO_TIMER;

  public UserSession() {}

  /** A new session that begins with {@code first} (not yet added). */
  public static UserSession beginningWith(InteractionEvent first) {
    UserSession s = new UserSession();
    s.start = first.ts;
    s.end = first.ts;
    s.eventIds = new long[0];
    s.steps = new SessionStep[0];
    return s;
  }

  /**
   * What follows a session its cap ended: no events yet, the capped session's ids to recognise its
   * retried events, and its end, so the user's state lasts until the watermark passes that end + gap.
   */
  public static UserSession afterCapped(UserSession capped) {
    UserSession s = new UserSession();
    s.start = Long.MAX_VALUE;
    s.end = capped.end;
    s.cohort = capped.cohort;
    s.eventIds = new long[0];
    // a session capped right after another keeps that one's ids too, as many as its own at most
    long[] older = capped.earlierIds == null ? new long[0] : capped.earlierIds;
    int kept = Math.min(older.length, capped.eventIds.length);
    s.earlierIds = Arrays.copyOf(capped.eventIds, capped.eventIds.length + kept);
    System.arraycopy(older, 0, s.earlierIds, capped.eventIds.length, kept);
    s.steps = new SessionStep[0];
    return s;
  }

  /** How many events the session holds. */
  public int events() {
    return eventIds.length;
  }

  /** Adds the event as a pending step unless its id is already in the session; false for a duplicate. */
  public boolean add(InteractionEvent e) {
    long id = MurmurHash3.hash(e.eventId.getBytes(StandardCharsets.UTF_8), HASH_SEED)[0];
    if (contains(eventIds, id) || earlierIds != null && contains(earlierIds, id)) {
      return false;
    }
    eventIds = Arrays.copyOf(eventIds, eventIds.length + 1);
    eventIds[eventIds.length - 1] = id;
    int at = steps.length;
    while (at > 0 && steps[at - 1].ts > e.ts) {
      at--;
    }
    SessionStep[] grown = new SessionStep[steps.length + 1];
    System.arraycopy(steps, 0, grown, 0, at);
    grown[at] = SessionStep.of(e);
    System.arraycopy(steps, at, grown, at + 1, steps.length - at);
    steps = grown;
    start = Math.min(start, e.ts);
    end = Math.max(end, e.ts);
    cohort = e.cohortOrDefault();
    if (e.userFeatures != null) {
      userFeatures = e.userFeatures;
    }
    return true;
  }

  private static boolean contains(long[] ids, long id) {
    for (long seen : ids) {
      if (seen == id) {
        return true;
      }
    }
    return false;
  }

  /**
   * Sends out the sample of every pending step whose quality is final: with INTERACTION
   * granularity every one; with SESSION those whose look-ahead holds horizonSteps steps or whose
   * horizon the watermark has passed, or all of them when {@code sessionEnded}.
   */
  public void emitFinal(String userId, QualityConfig quality, long watermark, boolean sessionEnded, Consumer<QualitySample> out) {
    double[] rewards = null;
    for (int i = 0; i < steps.length; i++) {
      SessionStep step = steps[i];
      if (!step.pending) {
        continue;
      }
      if (quality.granularity() == QualityConfig.Granularity.INTERACTION) {
        out.accept(sample(userId, i, step.reward, quality.historyLength()));
        continue;
      }
      int n = 1;
      while (i + n < steps.length && n < quality.horizonSteps() && steps[i + n].ts <= step.ts + quality.horizonMs()) {
        n++;
      }
      if (sessionEnded || n == quality.horizonSteps() || step.ts + quality.horizonMs() <= watermark) {
        if (rewards == null) {
          rewards = new double[steps.length];
          for (int j = 0; j < steps.length; j++) {
            rewards[j] = steps[j].reward;
          }
        }
        out.accept(sample(userId, i, quality.aggregate(rewards, i, n), quality.historyLength()));
      }
    }
  }

  private QualitySample sample(String userId, int i, double quality, int historyLength) {
    SessionStep step = steps[i];
    step.pending = false;
    QualitySample q = new QualitySample();
    q.userId = userId;
    q.cohort = cohort;
    q.itemId = step.itemId;
    q.quality = quality;
    q.ts = step.ts;
    q.appendMs = step.appendMs;
    q.policyVersion = step.policyVersion;
    q.propensity = step.propensity;
    q.explored = step.explored;
    q.userFeatures = userFeatures;
    int from = Math.max(0, i - historyLength);
    q.historyItems = new String[i - from];
    q.historyRewards = new double[i - from];
    for (int h = from; h < i; h++) {
      q.historyItems[h - from] = steps[h].itemId;
      q.historyRewards[h - from] = steps[h].reward;
    }
    return q;
  }

  /** Drops the steps no sample needs any more: before the first pending step's L predecessors. */
  public void dropUnneeded(int historyLength) {
    int firstPending = 0;
    while (firstPending < steps.length && !steps[firstPending].pending) {
      firstPending++;
    }
    int from = Math.max(0, firstPending - historyLength);
    if (from > 0) {
      steps = Arrays.copyOfRange(steps, from, steps.length);
    }
  }

  /**
   * When the user's timer must fire next: the session's end on the watermark (its last event +
   * gap + allowed lateness), or earlier the horizon of its earliest pending step (SESSION granularity).
   */
  public long deadline(SessionConfig sessions, QualityConfig quality) {
    long deadline = end + sessions.gapMs() + sessions.allowedLatenessMs();
    if (quality.granularity() == QualityConfig.Granularity.SESSION) {
      for (SessionStep step : steps) {
        if (step.pending) {
          deadline = Math.min(deadline, step.ts + quality.horizonMs());
        }
      }
    }
    return deadline;
  }

  @Override
  public String toString() {
    return "UserSession{" + cohort + " " + start + ".." + end + ", " + eventIds.length + " events, " + Arrays.toString(steps)
        + ", timer " + timer + "}";
  }
}
