package dev.drpo.job.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./drpo} command line. */
@Command(
    name = "drpo",
    mixinStandardHelpOptions = true,
    version = "drpo 0.1.0",
    description = "DRPO: a streaming learner for generative recommendation on Apache Flink.",
    subcommands = {DemoCommand.class, RunCommand.class, UsersCommand.class, BenchCommand.class, SimulateCommand.class})
public final class DrpoCli {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line, with errors in a command's input printed as one clear line (exit code 2). */
  static CommandLine commandLine() {
    return new CommandLine(new DrpoCli()).setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof IllegalArgumentException) {
        cmd.getErr().println("drpo: " + e.getMessage());
        return 2;
      }
      throw e;
    });
  }
}
