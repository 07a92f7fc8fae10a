package dev.drpo.app.cli;

import dev.drpo.simulator.LoggedData;
import dev.drpo.simulator.LoggingMix;
import dev.drpo.simulator.SimulatorConfig;
import dev.drpo.simulator.World;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drpo simulate}: logged traffic from the simulator as interaction events (JSON lines). */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = "Writes the simulator's logged traffic as interaction events, one JSON object per line.")
final class SimulateCommand implements Callable<Integer> {

  @Option(names = "--out", required = true, description = "The JSON-lines file to write.")
  Path out;

  @Option(names = "--mix", defaultValue = "medium", description = "medium, extreme, or E/P/R in percent (default: ${DEFAULT-VALUE}).")
  String mix;

  @Option(names = "--samples", defaultValue = "200000", description = "Events to write (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the logged data; the world is seed 1 (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--start-ms", defaultValue = "1700000000000", description = "Event time of the first event (default: ${DEFAULT-VALUE}).")
  long startMs;

  @Option(names = "--spacing-ms", defaultValue = "100", description = "Event time between events (default: ${DEFAULT-VALUE}).")
  long spacingMs;

  @Override
  public Integer call() throws Exception {
    if (samples < 1 || spacingMs < 0) {
      throw new IllegalArgumentException("--samples must be positive and --spacing-ms not negative");
    }
    World world = new World(SimulatorConfig.defaults(), 1);
    new LoggedData(world, LoggingMix.parse(mix), samples, seed).writeJsonLines(out, startMs, spacingMs);
    System.out.println("wrote " + samples + " interaction events to " + out);
    return 0;
  }
}
