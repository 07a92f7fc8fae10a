package dev.drpo.app.cli;

import dev.drpo.app.bench.TrainBenchmark;
import dev.drpo.job.JobConfig;
import dev.drpo.model.policy.PolicyConfig;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drpo bench train}: speed of one DRPO training step on the default policy. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Times one DRPO training step (filter, forward, loss, backward, guard, Adam) on a policy of state and actions"
          + " in R^128 with the job's mean network (--network, --hidden; by default mlp-linear with one hidden layer"
          + " of 8), the same step through the SameDiff graph, and a 1024^3 ND4J matrix product on the same threads.",
      "Set OMP_NUM_THREADS before the JVM starts."})
final class TrainBenchCommand implements Callable<Integer> {

  @Option(names = "--batches", split = ",", defaultValue = "320,1024,4096",
      description = "Batch sizes to measure; the first one goes into --json (default: ${DEFAULT-VALUE}).")
  int[] batches;

  @Option(names = "--seconds", defaultValue = "2",
      description = "Timing budget per measurement, after a warm-up (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(names = "--network", defaultValue = "mlp-linear",
      description = "Mean network: mlp-linear (a linear path from the state beside the ReLU layers; default: ${DEFAULT-VALUE}, the job's) or mlp (the paper's, with --hidden 128,128).")
  String network;

  @Option(names = "--hidden", split = ",", defaultValue = "8",
      description = "Hidden layer widths (default: ${DEFAULT-VALUE}, the job's; the paper's: 128,128).")
  int[] hidden;

  @Option(names = "--json", description = "End with one JSON line for the first batch size.")
  boolean json;

  @Override
  public Integer call() {
    for (int b : batches) {
      if (b < 2) {
        throw new IllegalArgumentException("--batches: every batch size must be at least 2, got " + b);
      }
    }
    if (Arrays.stream(hidden).anyMatch(h -> h < 1)) {
      throw new IllegalArgumentException("--hidden: every width must be at least 1, got " + Arrays.toString(hidden));
    }
    if (!(seconds > 0)) {
      throw new IllegalArgumentException("--seconds must be positive, got " + seconds);
    }
    TrainBenchmark.Report report = TrainBenchmark.run(
        PolicyConfig.paper(128, 128).withHidden(hidden)
            .withBackbone(JobConfig.parseChoice("--network", network, PolicyConfig.Backbone.class)), batches, seconds);
    System.out.print(report.table());
    if (json) {
      System.out.println(report.json());
    }
    return 0;
  }
}
