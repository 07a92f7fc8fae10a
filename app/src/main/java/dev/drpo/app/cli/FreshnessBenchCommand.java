package dev.drpo.app.cli;

import dev.drpo.app.bench.FreshnessBenchmark;
import dev.drpo.job.JobConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drpo bench freshness}: from an interaction's append to Kafka to a policy version trained on it. */
@Command(
    name = "freshness",
    mixinStandardHelpOptions = true,
    description = {
      "How soon an interaction reaches the policy: from its append to Kafka until every scorer holds a version",
      "trained on it, and until that version is visible on the policy-versions topic (read_committed), with",
      "the simulator's users acting at wall-clock time; then a drift run (the users change taste) with the",
      "defaults and with session-end emission. The in-JVM broker and the job with its default settings."})
final class FreshnessBenchCommand implements Callable<Integer> {

  @Option(names = "--events-per-s", split = ",", defaultValue = "200,2000,10000",
      description = "Interaction events per second, one job each (default: ${DEFAULT-VALUE}).")
  int[] eventsPerS;

  @Option(names = "--duration", defaultValue = "60s", description = "Measured time per rate (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--no-drift", description = "Skip the drift run.")
  boolean noDrift;

  @Option(names = "--set", description = "A job setting, key=value as in conf/job.yaml (repeatable), e.g. quality.granularity=session.")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--json", description = "End with one JSON line.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Duration window = JobConfig.parseDuration("--duration", duration);
    if (Arrays.stream(eventsPerS).anyMatch(r -> r < 1) || window.toSeconds() < 1) {
      throw new IllegalArgumentException("--events-per-s and --duration must be positive");
    }
    JobConfig.defaults().with(settings); // a bad setting stops here, before anything starts
    FreshnessBenchmark.Result result = new FreshnessBenchmark(new FreshnessBenchmark.Options(
        Arrays.stream(eventsPerS).boxed().toList(), window, !noDrift, settings), System.out).run();
    System.out.print(result.table());
    if (json) {
      System.out.println(result.json());
    }
    return 0;
  }
}
