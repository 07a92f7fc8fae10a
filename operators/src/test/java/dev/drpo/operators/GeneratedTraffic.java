package dev.drpo.operators;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Interaction records for data-path tests: users in cohorts, sessions of a few events a minute
 * apart, sessions 45 minutes apart, in event-time order; plus a known number of malformed records,
 * exact duplicates and records far too late. The counts say what a test should find.
 */
public final class GeneratedTraffic {
  public static final long BEGINNING = 1_700_000_000_000L;
  static final long MINUTE = 60_000;

  public final List<byte[]> records = new ArrayList<>();
  public int valid;
  public int malformed;
  public int duplicates;
  public int late;

  /**
   * @param users users, spread over the cohorts round-robin
   * @param sessionsPerUser sessions each user has
   * @param cohorts cohort names; cohort k's rewards are uniform on [0, scales[k]]
   * @param scales reward scale per cohort
   */
  public GeneratedTraffic(int users, int sessionsPerUser, String[] cohorts, double[] scales, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int event = 0;
    for (int s = 0; s < sessionsPerUser; s++) {
      for (int step = 0; step < 5; step++) {
        for (int u = 0; u < users; u++) {
          long ts = BEGINNING + s * 45 * MINUTE + step * MINUTE + u;
          int cohort = u % cohorts.length;
          String json = String.format(Locale.ROOT,
              "{\"eventId\":\"e%d\",\"userId\":\"u%d\",\"itemId\":\"i%d\",\"ts\":%d,\"reward\":%.6f,\"cohort\":\"%s\"}",
              event++, u, r.nextInt(100), ts, r.nextDouble() * scales[cohort], cohorts[cohort]);
          add(json);
          valid++;
          double dice = r.nextDouble();
          if (dice < 0.03) {
            add("{\"eventId\":\"broken" + event + "\",\"userId\":");
            malformed++;
          } else if (dice < 0.05) {
            add(json);
            duplicates++;
          } else if (dice < 0.06 && s > 1) {
            add(String.format(Locale.ROOT,
                "{\"eventId\":\"late%d\",\"userId\":\"u%d\",\"itemId\":\"i1\",\"ts\":%d,\"reward\":0.5,\"cohort\":\"%s\"}",
                event, u, ts - 3 * 45 * MINUTE, cohorts[cohort]));
            late++;
          }
        }
      }
    }
  }

  private void add(String json) {
    records.add(json.getBytes(StandardCharsets.UTF_8));
  }
}
