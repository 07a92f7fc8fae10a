package dev.drpo.app.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.drpo.job.kafka.KafkaConnection;
import dev.drpo.simulator.LoggingMix;
import dev.drpo.simulator.UserPopulation;
import dev.drpo.simulator.World;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The simulated users' side of a run, against any broker: logged medium-quality traffic first
 * (offline), then online round trips through the job, a share still served by the logging policy.
 * On a simulated clock (default) the users' days pass in minutes; in real time every user acts
 * every {@code userInterval} of wall-clock time, events stamped now, and there is no offline phase.
 * A progress line every 5 s (the job's own numbers when the job runs in this JVM), and at the end
 * DIR/demo.json (timeline and summary) and DIR/demo.png (served reward over time).
 */
public final class TrafficRun {
  private static final long REPORT_NANOS = 5_000_000_000L;
  /** Online round trips a second the simulated clock has room for (at-least-once answers make them fast). */
  private static final long MAX_TICKS_PER_SECOND = 30;

  /**
   * @param duration wall-clock length (offline replay included)
   * @param out where demo.json and demo.png go
   * @param offlineHours simulated hours of logged traffic replayed first
   * @param tickMinutes simulated minutes per online round trip
   * @param loggingShare share of online requests the logging policy serves
   * @param malformedShare share of the users' events that are corrupted on purpose
   * @param userInterval null: the simulated clock; else users act in real time, each this often
   */
  public record Options(Duration duration, Path out, int offlineHours, int tickMinutes, double loggingShare,
      double malformedShare, long seed, Duration userInterval) {

    public boolean realtime() {
      return userInterval != null;
    }
  }

  private final Options options;
  private final World world;
  private final PrintStream console;
  private final Supplier<Map<String, Object>> jobMetrics;
  private final AtomicBoolean stop = new AtomicBoolean();
  private double lastReportSeconds;
  private double lastReportEvents;

  /** @param jobMetrics the job's numbers for the timeline (events, sessions, admitted, kappa, nu, version...); may be empty */
  public TrafficRun(Options options, World world, PrintStream console, Supplier<Map<String, Object>> jobMetrics) {
    this.options = options;
    this.world = world;
    this.console = console;
    this.jobMetrics = jobMetrics;
  }

  /** Asks the run to finish early (it still writes its report). */
  public void stop() {
    stop.set(true);
  }

  /**
   * Drives the users until the duration is over or {@link #stop()}; returns the summary for the
   * console (demo.json has it whole).
   *
   * @param excludeRecent the job's scorer.exclude-recent (the oracles are reported under the same rule)
   * @param versionsTopic where the job publishes its versions, with their off-policy estimates
   */
  public Map<String, Object> run(KafkaConnection kafka, SimulatedUsers.Topics topics, int excludeRecent, String versionsTopic)
      throws IOException, InterruptedException {
    Files.createDirectories(options.out());
    long tick = options.tickMinutes() * 60_000L;
    // room for up to MAX_TICKS_PER_SECOND round trips a second; past that the users wait for the wall clock
    long onlineSpan = options.duration().toSeconds() * MAX_TICKS_PER_SECOND * tick;
    long clock = options.realtime() ? System.currentTimeMillis()
        : System.currentTimeMillis() - options.offlineHours() * 3_600_000L - onlineSpan - 3_600_000L;
    UserPopulation.Config behaviour = options.realtime() ? UserPopulation.Config.continuous(options.userInterval().toMillis())
        : UserPopulation.Config.defaults();
    UserPopulation population = new UserPopulation(world, behaviour.withMalformedShare(options.malformedShare()), clock, options.seed());
    SimulatedUsers.Tally offline = new SimulatedUsers.Tally();
    List<Map<String, Object>> timeline = new ArrayList<>();
    long started = System.nanoTime();
    long deadline = started + options.duration().toNanos();
    long nextReport = started + REPORT_NANOS;
    SimulatedUsers.Tally window = new SimulatedUsers.Tally();
    try (SimulatedUsers users = new SimulatedUsers(world, population, LoggingMix.MEDIUM, options.loggingShare(), 10,
        excludeRecent, kafka, topics, options.seed());
        VersionEstimates estimates = new VersionEstimates(kafka, versionsTopic)) {
      long offlineEnd = options.realtime() ? clock : clock + options.offlineHours() * 3_600_000L;
      String phase = "offline";
      while (!stop.get() && System.nanoTime() < deadline) {
        if (options.realtime()) {
          phase = "online";
          Thread.sleep(20);
          // a user's interaction comes a second after the request (UserPopulation): never ahead of the wall clock
          users.tick(System.currentTimeMillis() - 1_000, Duration.ofSeconds(30));
        } else if (clock < offlineEnd) {
          clock = Math.min(offlineEnd, clock + 3_600_000L);
          users.replay(clock);
        } else {
          phase = "online";
          if (clock + tick > System.currentTimeMillis()) {
            Thread.sleep(100); // never an event ahead of the wall clock (the job would dead-letter it)
            continue;
          }
          clock += tick;
          users.tick(clock, Duration.ofSeconds(30));
        }
        estimates.poll(Duration.ZERO);
        SimulatedUsers.Tally t = users.drainTally();
        if (phase.equals("offline")) {
          offline.add(t);
        }
        window.add(t);
        if (System.nanoTime() >= nextReport) {
          timeline.add(report(started, phase, window));
          window = new SimulatedUsers.Tally();
          nextReport += REPORT_NANOS;
        }
      }
      if (window.requests > 0) {
        timeline.add(report(started, phase, window));
      }
      Map<String, Object> summary = summary(timeline, offline.loggingNormalized(), users, (System.nanoTime() - started) / 1e9);
      summary.put("malformed_events_sent", population.malformed());
      estimates.drain(15);
      Map<String, Object> estimated = estimates.compare(users.servedByVersion());
      summary.put("version_estimates", estimated);
      write(timeline, summary);
      // the console gets the summary without the per-version lists (hundreds of entries; they are in demo.json)
      Map<String, Object> brief = new LinkedHashMap<>(summary);
      brief.put("answers_by_policy_version", users.versionsServed().size() + " versions (see demo.json)");
      Map<String, Object> estimatedBrief = new LinkedHashMap<>(estimated);
      estimatedBrief.remove("versions");
      brief.put("version_estimates", estimatedBrief);
      return brief;
    }
  }

  private Map<String, Object> report(long started, String phase, SimulatedUsers.Tally t) {
    double seconds = (System.nanoTime() - started) / 1e9;
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("t_s", Math.round(seconds * 10) / 10.0);
    row.put("phase", phase);
    row.putAll(jobMetrics.get());
    if (row.get("events") instanceof Long events) {
      row.put("events_per_s", Math.round((events - lastReportEvents) / (seconds - lastReportSeconds)));
      lastReportEvents = events;
    }
    lastReportSeconds = seconds;
    row.put("requests_answered", t.answered);
    row.put("served_reward", finiteOrNull(t.servedReward()));
    row.put("normalized", finiteOrNull(t.servedNormalized()));
    row.put("logging_normalized", finiteOrNull(t.loggingNormalized()));
    row.put("ceiling_normalized", finiteOrNull(t.ceilingNormalized()));
    row.put("available_normalized", finiteOrNull(t.availableNormalized()));
    row.put("explored_pct", t.answered == 0 ? null : 100.0 * t.explored / t.answered);
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "[%5.1fs %-7s]", seconds, phase));
    for (Map.Entry<String, Object> e : row.entrySet()) {
      if (!e.getKey().equals("t_s") && !e.getKey().equals("phase")) {
        Object v = e.getValue();
        line.append(' ').append(e.getKey()).append('=')
            .append(v instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : v == null ? "-" : v);
      }
    }
    console.println(line);
    return row;
  }

  private Map<String, Object> summary(List<Map<String, Object>> timeline, double loggingNormalized, SimulatedUsers users,
      double seconds) {
    List<Map<String, Object>> served = timeline.stream()
        .filter(r -> r.get("phase").equals("online") && r.get("normalized") != null).toList();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("duration_s", Math.round(seconds));
    s.put("logging_policy_normalized", finiteOrNull(loggingNormalized));
    s.put("first_online_normalized", served.isEmpty() ? null : served.get(0).get("normalized"));
    s.put("last_online_normalized", served.isEmpty() ? null : served.get(served.size() - 1).get("normalized"));
    s.put("online_mean_normalized", meanNormalized(served, "normalized", 0));
    s.put("last_quarter_normalized", meanNormalized(served, "normalized", 0.75));
    s.put("online_mean_ceiling_normalized", meanNormalized(served, "ceiling_normalized", 0));
    s.put("last_quarter_ceiling_normalized", meanNormalized(served, "ceiling_normalized", 0.75));
    s.put("online_mean_available_normalized", meanNormalized(served, "available_normalized", 0));
    s.put("answers_by_policy_version", users.versionsServed());
    s.put("unanswered", users.waiting());
    s.put("unexpected_answers", users.unexpectedAnswers());
    Map<String, Object> last = timeline.isEmpty() ? Map.of() : timeline.get(timeline.size() - 1);
    s.put("requests_answered", timeline.stream().mapToLong(r -> (Long) r.get("requests_answered")).sum());
    for (String key : new String[] {"events", "policy_version", "dead_letters", "late", "restarts"}) {
      if (last.containsKey(key)) {
        s.put(key, last.get(key));
      }
    }
    return s;
  }

  /** A normalized reward ({@code key}) over the online rows from {@code fromShare} of the online phase's time on, per answer. */
  static Double meanNormalized(List<Map<String, Object>> online, String key, double fromShare) {
    if (online.isEmpty()) {
      return null;
    }
    double first = (Double) online.get(0).get("t_s");
    double from = first + fromShare * ((Double) online.get(online.size() - 1).get("t_s") - first);
    double sum = 0;
    long answers = 0;
    for (Map<String, Object> row : online) {
      if ((Double) row.get("t_s") >= from) {
        long n = (Long) row.get("requests_answered");
        sum += n * (Double) row.get(key);
        answers += n;
      }
    }
    return answers == 0 ? null : sum / answers;
  }

  private void write(List<Map<String, Object>> timeline, Map<String, Object> summary) throws IOException {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("timeline", timeline);
    report.put("summary", summary);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(options.out().resolve("demo.json").toFile(), report);
    XYSeries policy = new XYSeries("served by the job");
    XYSeries ceiling = new XYSeries("reachable ceiling: the linear oracle, same exclusions");
    XYSeries logging = new XYSeries("served by the logging policy");
    XYSeries oracle = new XYSeries("oracle");
    for (Map<String, Object> row : timeline) {
      double t = (Double) row.get("t_s");
      if (row.get("normalized") instanceof Double served) {
        policy.add(t, served);
      }
      if (row.get("ceiling_normalized") instanceof Double reachable) {
        ceiling.add(t, reachable);
      }
      if (row.get("logging_normalized") instanceof Double logged) {
        logging.add(t, logged);
      }
      oracle.add(t, 1.0);
    }
    XYSeriesCollection data = new XYSeriesCollection(policy);
    data.addSeries(ceiling);
    data.addSeries(logging);
    data.addSeries(oracle);
    // ImageIO's default file cache registers a shutdown hook, which fails when Ctrl-C ended the run
    ImageIO.setUseCache(false);
    ChartUtils.saveChartAsPNG(options.out().resolve("demo.png").toFile(), ChartFactory.createXYLineChart(
        "drpo demo: served reward over time, as a share of the oracle's", "seconds", "normalized reward", data,
        PlotOrientation.VERTICAL, true, false, false), 900, 500);
    console.printf("wrote %s and %s%n", options.out().resolve("demo.json"), options.out().resolve("demo.png"));
  }

  static Double finiteOrNull(double x) {
    return Double.isFinite(x) ? x : null;
  }
}
