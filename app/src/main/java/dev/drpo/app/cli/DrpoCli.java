package dev.drpo.app.cli;

import dev.drpo.job.RunCommand;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.ToIntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine;

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
    return RunCommand.withInputErrorsOnOneLine(new CommandLine(new DrpoCli()));
  }

  /** Runs {@code body}; Ctrl-C calls {@code stop} and waits for the body to finish (and write its report). */
  static int untilInterrupted(Runnable stop, Callable<Map<String, Object>> body) throws Exception {
    return untilInterrupted(stop, body, summary -> 0);
  }

  /** The same, with the exit code the body's summary decides. */
  static int untilInterrupted(Runnable stop, Callable<Map<String, Object>> body, ToIntFunction<Map<String, Object>> exitCode)
      throws Exception {
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.run();
      try {
        finished.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Map<String, Object> summary = body.call();
      System.out.println(summary);
      return exitCode.applyAsInt(summary);
    } finally {
      finished.countDown();
    }
  }
}
