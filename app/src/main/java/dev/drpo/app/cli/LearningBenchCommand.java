package dev.drpo.app.cli;

import dev.drpo.job.JobConfig;
import dev.drpo.model.catalog.EmbeddingsCsv;
import dev.drpo.model.policy.PolicyConfig;
import dev.drpo.simulator.LoggingMix;
import dev.drpo.simulator.SimulatorConfig;
import dev.drpo.simulator.bench.LearningBenchmark;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drpo bench learning}: every method on the simulator's logged data, both presets. */
@Command(
    name = "learning",
    mixinStandardHelpOptions = true,
    description = {
      "Trains DRPO and its baselines on the simulator's logged data (medium and extreme mixes),",
      "baselines' settings chosen on seed 0, reported on seeds 1..N; writes DIR/learning.json and PNG charts."})
final class LearningBenchCommand implements Callable<Integer> {

  @Option(names = "--out", required = true, description = "Directory for learning.json and the charts.")
  Path out;

  @Option(names = "--quick", description = "300 steps, one seed, a 50k-sample dataset: a couple of minutes.")
  boolean quick;

  @Option(names = "--steps", description = "Training steps per run (default 5000; 300 with --quick).")
  Integer steps;

  @Option(names = "--seeds", description = "Reported seeds (default 5; 1 with --quick).")
  Integer seeds;

  @Option(names = "--batch", defaultValue = "320", description = "Samples per step (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--mix", description = "A custom logging mix E/P/R in percent (e.g. 20/50/30) instead of both presets.")
  String mix;

  @Option(names = "--d", description = "Embedding dimension (default 128).")
  Integer dimension;

  @Option(names = "--items", description = "Item embeddings, CSV lines itemId,f1,...,fd (default: generated).")
  Path items;

  @Option(names = "--users", description = "User interests, CSV lines userId,f1,...,fd; the first 80%% train, the rest evaluate.")
  Path users;

  @Option(names = "--history", description = "Append the encoding of L past interactions to the state (default 0: features only).")
  Integer history;

  @Option(names = "--network", defaultValue = "mlp-linear",
      description = "Mean network of every method: mlp-linear (a linear path from the state beside the ReLU layers; default: ${DEFAULT-VALUE}) or mlp (the paper's, with --hidden 128,128).")
  String network;

  @Option(names = "--hidden", split = ",", defaultValue = "8",
      description = "Hidden layer widths of every method's mean network (default: ${DEFAULT-VALUE}; the paper's: 128,128). Critics keep the paper's 128,128.")
  int[] hidden;

  @Option(names = "--threads", defaultValue = "2", description = "Runs trained at once (default: ${DEFAULT-VALUE}).")
  int threads;

  @Override
  public Integer call() throws Exception {
    SimulatorConfig simulator = SimulatorConfig.defaults();
    if (quick) {
      simulator = simulator.withSize(simulator.items(), simulator.users(), simulator.heldOutUsers(), 50_000);
    }
    if (dimension != null) {
      if (dimension < 2) {
        throw new IllegalArgumentException("--d must be at least 2, got " + dimension);
      }
      simulator = simulator.withDimension(dimension);
    }
    EmbeddingsCsv.Embeddings itemEmbeddings = items == null ? null : EmbeddingsCsv.read(items);
    EmbeddingsCsv.Embeddings userInterests = users == null ? null : EmbeddingsCsv.read(users);
    if (itemEmbeddings != null) {
      simulator = simulator.withDimension(itemEmbeddings.vectors()[0].length)
          .withSize(itemEmbeddings.ids().size(), simulator.users(), simulator.heldOutUsers(), simulator.samples());
    }
    if (userInterests != null) {
      int count = userInterests.ids().size();
      int heldOut = Math.max(1, count / 5);
      simulator = simulator.withSize(simulator.items(), count - heldOut, heldOut, simulator.samples());
    }
    if (history != null) {
      if (history < 0) {
        throw new IllegalArgumentException("--history must not be negative, got " + history);
      }
      simulator = simulator.withHistory(history);
    }
    int stepCount = steps != null ? steps : quick ? 300 : 5_000;
    int seedCount = seeds != null ? seeds : quick ? 1 : 5;
    if (stepCount < 1 || seedCount < 1 || batch < 2 || threads < 1 || Arrays.stream(hidden).anyMatch(h -> h < 1)) {
      throw new IllegalArgumentException("--steps, --seeds, --threads and --hidden must be positive and --batch at least 2");
    }
    Map<String, LoggingMix> scenarios = new LinkedHashMap<>();
    if (mix != null) {
      scenarios.put("custom", LoggingMix.parse(mix));
    } else {
      scenarios.put("medium", LoggingMix.MEDIUM);
      scenarios.put("extreme", LoggingMix.EXTREME);
    }
    LearningBenchmark.run(new LearningBenchmark.Options(simulator, itemEmbeddings, userInterests, scenarios, stepCount, batch,
        seedCount, threads, JobConfig.parseChoice("--network", network, PolicyConfig.Backbone.class), hidden), out, System.out);
    return 0;
  }
}
