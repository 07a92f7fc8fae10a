package dev.drpo.job.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;

/** Runs the command line in-process and keeps what it printed. */
record CliRun(int exit, String out) {

  static CliRun of(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream previous = System.out;
    System.setOut(new PrintStream(out, true));
    try {
      return new CliRun(DrpoCli.commandLine().execute(args), out.toString());
    } finally {
      System.setOut(previous);
    }
  }

  List<String> lines() {
    return out.lines().toList();
  }

  String lastLine() {
    List<String> lines = lines();
    return lines.get(lines.size() - 1);
  }
}
