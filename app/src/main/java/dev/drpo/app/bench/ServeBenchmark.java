package dev.drpo.app.bench;

import dev.drpo.app.demo.Demo;
import dev.drpo.app.demo.InJvmMetrics;
import dev.drpo.embedded.EmbeddedKafka;
import dev.drpo.job.JobConfig;
import dev.drpo.job.kafka.ItemsTopic;
import dev.drpo.job.kafka.KafkaConnection;
import dev.drpo.model.catalog.LuceneVectorization;
import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.simulator.SimulatorConfig;
import dev.drpo.simulator.UserPopulation;
import dev.drpo.simulator.World;
import dev.drpo.simulator.bench.ResultJson;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import org.apache.flink.core.execution.JobClient;

/**
 * Request-to-answer latency of the serving path as an outside client sees it, while the same job
 * learns from interaction traffic on the same machine: the in-JVM Kafka broker, the job on a local
 * Flink cluster (RocksDB, the job's default settings), the simulator's users (default world:
 * 5,000 items, d = 128) sending logged interactions at a stated rate or, with a backlog, replayed
 * at full speed, and an {@link OpenLoopClient} sending requests on a fixed schedule. Per delivery
 * mode of the answers, one job; per request rate, a warm-up, then a measured window. Percentiles
 * come from HdrHistogram, over every request scheduled in the window (unanswered ones are counted
 * apart). A burst (10x the rate for 5 s) ends the at-least-once job.
 */
public final class ServeBenchmark {
  static final Duration WARMUP = Duration.ofSeconds(5);
  static final Duration DRAIN = Duration.ofSeconds(15);
  static final int BACKLOG_EVENTS_PER_S = 5_000;

  /**
   * @param rates requests per second, each measured for {@code duration}
   * @param eventsPerS interaction events per second while measuring (without a backlog)
   * @param backlog replay a backlog of interactions at full speed instead
   * @param deliveries the answers' delivery modes to measure, one job each
   * @param overrides job settings on top of the benchmark's
   */
  public record Options(List<Integer> rates, int eventsPerS, boolean backlog, Duration duration,
      List<JobConfig.Delivery> deliveries, Map<String, String> overrides) {}

  /**
   * One rate in one delivery mode. Latencies in ms; CPU in microseconds per request sent in the
   * measured window ({@link ThreadCpu}): the scorer task, the job's whole serving path, the broker
   * (which also carries the interaction traffic), and the share of the machine's cores this JVM used.
   */
  public record Run(int rate, int eventsPerS, boolean backlog, String delivery, double achievedPerS, double p50Ms,
      double p90Ms, double p99Ms, double p999Ms, double maxMs, long unanswered, long repeated, double scoringP99Ms,
      double untilScoredP99Ms, double jobEventsPerS, double scorerCpuUs, double servingCpuUs, double brokerCpuUs,
      double processCores) {

    Map<String, Object> json() {
      return ResultJson.fields("rate", rate, "events_per_s", eventsPerS, "backlog", backlog, "delivery", delivery,
          "achieved_per_s", achievedPerS, "p50_ms", p50Ms, "p90_ms", p90Ms, "p99_ms", p99Ms, "p999_ms", p999Ms, "max_ms", maxMs,
          "unanswered", unanswered, "repeated", repeated, "scoring_p99_ms", scoringP99Ms, "until_scored_p99_ms", untilScoredP99Ms,
          "job_events_per_s", jobEventsPerS, "scorer_cpu_us_per_request", scorerCpuUs, "serving_cpu_us_per_request", servingCpuUs,
          "broker_cpu_us_per_request", brokerCpuUs, "process_cpu_cores", processCores);
    }
  }

  /** The burst: p99 per second of scheduled time before, during, and until it is back within twice the p99 before. */
  public record Burst(int rate, double p99BeforeMs, double p99DuringMs, double recoveryS, long unanswered) {}

  public record Result(List<Run> runs, Burst burst) {
    /** The highest rate measured at-least-once with p99 at most 50 ms and nothing unanswered (0 if none). */
    public int maxRateP99Within50Ms() {
      return runs.stream().filter(r -> r.delivery().equals("at-least-once") && r.p99Ms() <= 50 && r.unanswered() == 0)
          .mapToInt(Run::rate).max().orElse(0);
    }

    public String table() {
      StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
          "%-14s %6s %7s %8s %8s %8s %8s %8s %9s %10s %8s %10s %10s %10s %10s %10s %10s %6s%n", "delivery", "rate", "events",
          "achieved", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "unanswered", "repeated", "scoring99", "scored99",
          "job ev/s", "scorer us", "serving us", "broker us", "cores"));
      for (Run r : runs) {
        s.append(String.format(Locale.ROOT,
            "%-14s %6d %7s %8.0f %8.1f %8.1f %8.1f %8.1f %9.1f %10d %8d %10.2f %10.1f %10.0f %10.0f %10.0f %10.0f %6.2f%n",
            r.delivery(), r.rate(), r.backlog() ? "backlog" : Integer.toString(r.eventsPerS()), r.achievedPerS(), r.p50Ms(),
            r.p90Ms(), r.p99Ms(), r.p999Ms(), r.maxMs(), r.unanswered(), r.repeated(), r.scoringP99Ms(), r.untilScoredP99Ms(),
            r.jobEventsPerS(), r.scorerCpuUs(), r.servingCpuUs(), r.brokerCpuUs(), r.processCores()));
      }
      if (burst != null) {
        s.append(String.format(Locale.ROOT, "burst: %d/s for 5 s at 10x: p99 %.1f ms before, %.1f ms during, back within 2x in %s, "
            + "unanswered %d%n", burst.rate(), burst.p99BeforeMs(), burst.p99DuringMs(),
            Double.isFinite(burst.recoveryS()) ? burst.recoveryS() + " s" : "more than 20 s", burst.unanswered()));
      }
      s.append("CPU in microseconds per request sent (scorer task; serving path: requests source, scorer, answers' producer;"
          + " broker, which also carries the interactions); cores: this JVM's CPU time / wall time\n");
      s.append("highest rate with p99 <= 50 ms (at-least-once): ").append(maxRateP99Within50Ms()).append("/s\n");
      return s.toString();
    }

    public String json() {
      double scoring = runs.stream().mapToDouble(Run::scoringP99Ms).filter(Double::isFinite).max().orElse(Double.NaN);
      return ResultJson.write(ResultJson.fields("runs", runs.stream().map(Run::json).toList(), "scoring_p99_ms", scoring,
          "max_rate_p99_50ms", maxRateP99Within50Ms(), "burst_recovery_s", burst == null ? Double.NaN : burst.recoveryS(),
          "runtime", LuceneVectorization.runtime()));
    }
  }

  private final Options options;
  private final PrintStream console;
  private final World world = new World(SimulatorConfig.defaults(), 1);
  /** Each training user's request as JSON, with "ID" and ts 0 to fill in. */
  private final String[] requestTemplates;

  public ServeBenchmark(Options options, PrintStream console) {
    this.options = options;
    this.console = console;
    requestTemplates = new String[world.trainingUsers()];
    for (int u = 0; u < requestTemplates.length; u++) {
      requestTemplates[u] = new String(
          new UserPopulation.Request("ID", u, UserPopulation.userId(u), 0, 10, world.state(u)).json(), StandardCharsets.UTF_8);
    }
  }

  public Result run() throws Exception {
    LuceneVectorization.requireSimd();
    Path dir = Files.createTempDirectory("drpo-bench-serve");
    List<Run> runs = new ArrayList<>();
    Burst burst = null;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir.resolve("kafka"))) {
      for (JobConfig.Delivery delivery : options.deliveries()) {
        String mode = JobConfig.settingName(delivery);
        JobConfig config = config(kafka.bootstrapServers(), dir, mode);
        Demo.createTopics(kafka, config, true);
        KafkaConnection connection = config.kafka().connection();
        ItemsTopic.write(connection, config.kafka().topics().items(), CatalogItems.of(world.catalog()));
        try (InteractionFeed feed = new InteractionFeed(world, connection, config.kafka().topics().interactions(), 2);
            OpenLoopClient client = new OpenLoopClient(connection, config.kafka().topics().recRequests(),
                config.kafka().topics().recommendations())) {
          if (options.backlog()) {
            long events = (long) BACKLOG_EVENTS_PER_S * options.rates().size()
                * (WARMUP.toSeconds() + options.duration().toSeconds() + DRAIN.toSeconds());
            console.printf("writing a backlog of %d interaction events...%n", events);
            feed.backlog(events);
          }
          JobClient job = LocalJob.start(config, null);
          try {
            if (!options.backlog()) {
              feed.start(options.eventsPerS());
            }
            LocalJob.awaitFirstVersion(Duration.ofMinutes(3));
            Thread.sleep(2_000);
            for (int rate : options.rates()) {
              runs.add(measure(client, rate, mode));
              console.print(ResultJson.write(runs.get(runs.size() - 1).json()) + "\n");
            }
            if (delivery == JobConfig.Delivery.AT_LEAST_ONCE && !options.backlog()) {
              burst = burst(client, options.rates().get(Math.min(1, options.rates().size() - 1)));
            }
          } finally {
            job.cancel().get();
          }
        }
      }
    }
    return new Result(runs, burst);
  }

  private JobConfig config(String bootstrap, Path dir, String mode) {
    Map<String, String> s = new LinkedHashMap<>(Demo.localSettings(bootstrap, dir.resolve(mode)));
    // the job's own checkpoint interval, not the demo's 1 s: exactly-once answers wait for it
    s.put("checkpoints.interval", JobConfig.defaults().checkpoints().interval().toMillis() + "ms");
    s.put("events.user-feature-dim", Integer.toString(world.config().stateDim()));
    s.put("kafka.delivery.recommendations", mode);
    s.put("kafka.group-id", "bench-" + mode);
    s.put("kafka.transactional-id-prefix", "bench-" + mode);
    for (String topic : new String[] {"interactions", "rec-requests", "recommendations", "policy-versions", "dead-letters", "items"}) {
      s.put("kafka.topics." + topic, topic + "-" + mode);
    }
    return Demo.simulatorSettings().with(s).with(options.overrides());
  }

  /** Requests of random training users, stamped now. */
  private Function<String, byte[]> requests() {
    SplittableRandom random = new SplittableRandom(3);
    return id -> requestTemplates[random.nextInt(requestTemplates.length)].replace("\"ID\"", "\"" + id + "\"")
        .replace("\"ts\":0,", "\"ts\":" + System.currentTimeMillis() + ",").getBytes(StandardCharsets.UTF_8);
  }

  private Run measure(OpenLoopClient client, int rate, String mode) throws Exception {
    client.run(t -> rate, WARMUP, Duration.ofSeconds(2), requests());
    double events = InJvmMetrics.sum("decodedEvents");
    long started = System.nanoTime();
    ThreadCpu cpuBefore = ThreadCpu.now();
    long processBefore = processCpuNanos();
    // CPU is read at the end of the sending window, before the drain (when no requests are sent)
    CompletableFuture<ThreadCpu> cpuAfter = CompletableFuture.supplyAsync(ThreadCpu::now,
        CompletableFuture.delayedExecutor(options.duration().toMillis(), TimeUnit.MILLISECONDS));
    CompletableFuture<Long> processAfter = cpuAfter.thenApply(cpu -> processCpuNanos());
    OpenLoopClient.Outcome o = client.run(t -> rate, options.duration(), DRAIN, requests());
    double jobEventsPerS = (InJvmMetrics.sum("decodedEvents") - events) / ((System.nanoTime() - started) / 1e9);
    double sent = o.achievedPerS() * options.duration().toMillis() / 1e3;
    ThreadCpu after = cpuAfter.get();
    double processCores = (processAfter.get() - processBefore) / (double) options.duration().toNanos();
    Histogram h = o.latencies(Long.MIN_VALUE, Long.MAX_VALUE);
    return new Run(rate, options.backlog() ? 0 : options.eventsPerS(), options.backlog(), mode, o.achievedPerS(),
        ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
        ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), o.unanswered(), o.repeated(),
        InJvmMetrics.maxQuantile("scoringLatencyMicros", 0.99) / 1_000, o.untilScored().getValueAtPercentile(99), jobEventsPerS,
        after.secondsSince(cpuBefore, ThreadCpu.SCORER) * 1e6 / sent, after.secondsSince(cpuBefore, ThreadCpu.SERVING) * 1e6 / sent,
        after.secondsSince(cpuBefore, ThreadCpu.BROKER) * 1e6 / sent, processCores);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private Burst burst(OpenLoopClient client, int rate) {
    long start = System.nanoTime();
    OpenLoopClient.Outcome o = client.run(t -> t >= 10 && t < 15 ? 10 * rate : rate, Duration.ofSeconds(35), DRAIN, requests());
    long second = 1_000_000_000L;
    long first = o.answers().stream().mapToLong(OpenLoopClient.Answer::scheduledNanos).min().orElse(start);
    double before = ms(o.latencies(first, first + 10 * second).getValueAtPercentile(99));
    double during = ms(o.latencies(first + 10 * second, first + 15 * second).getValueAtPercentile(99));
    double recovery = Double.NaN;
    for (int s = 15; s < 35; s++) {
      Histogram window = o.latencies(first + s * second, first + (s + 1) * second);
      if (window.getTotalCount() > 0 && ms(window.getValueAtPercentile(99)) <= 2 * before) {
        recovery = s - 15;
        break;
      }
    }
    return new Burst(rate, before, during, recovery, o.unanswered());
  }

  private static double ms(long micros) {
    return micros / 1_000.0;
  }
}
