package dev.drpo.app.cli;

import dev.drpo.app.bench.ServeBenchmark;
import dev.drpo.job.JobConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drpo bench serve}: request-to-answer latency, open-loop, while the job learns. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Latency from a request's scheduled send time to its answer's arrival at an outside Kafka",
      "consumer (open-loop, HdrHistogram percentiles), with the job training on simulated interaction",
      "traffic on the same machine: the in-JVM broker, the job on a local Flink cluster, the simulator's users."})
final class ServeBenchCommand implements Callable<Integer> {

  @Option(names = "--rates", split = ",", defaultValue = "200,1000,3000",
      description = "Requests per second, each measured in turn (default: ${DEFAULT-VALUE}).")
  int[] rates;

  @Option(names = "--events-per-s", defaultValue = "2000",
      description = "Interaction events per second training the policy meanwhile (default: ${DEFAULT-VALUE}).")
  int eventsPerS;

  @Option(names = "--backlog", description = "Replay a backlog of interactions at full speed instead of --events-per-s.")
  boolean backlog;

  @Option(names = "--duration", defaultValue = "30s", description = "Measured time per rate (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--delivery", defaultValue = "both",
      description = "Delivery of the answers: at-least-once, exactly-once or both (default: ${DEFAULT-VALUE}).")
  String delivery;

  @Option(names = "--set", description = "A job setting, key=value as in conf/job.yaml (repeatable), e.g. to measure another default.")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--json", description = "End with one JSON line.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Duration window = JobConfig.parseDuration("--duration", duration);
    if (Arrays.stream(rates).anyMatch(r -> r < 1) || eventsPerS < 1 || window.toSeconds() < 1) {
      throw new IllegalArgumentException("--rates, --events-per-s and --duration must be positive");
    }
    List<JobConfig.Delivery> deliveries = delivery.equals("both") ? List.of(JobConfig.Delivery.values())
        : List.of(JobConfig.parseChoice("--delivery", delivery, JobConfig.Delivery.class));
    ServeBenchmark.Result result = new ServeBenchmark(
        new ServeBenchmark.Options(Arrays.stream(rates).boxed().toList(), eventsPerS, backlog, window, deliveries, settings), System.out).run();
    System.out.print(result.table());
    if (json) {
      System.out.println(result.json());
    }
    return 0;
  }
}
