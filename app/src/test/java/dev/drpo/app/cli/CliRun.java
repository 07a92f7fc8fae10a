package dev.drpo.app.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** Runs the command line in-process and keeps what it printed (out) and its error line (err). */
record CliRun(int exit, String out, String err) {

  static CliRun of(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    PrintStream previous = System.out;
    System.setOut(new PrintStream(out, true));
    try {
      int exit = DrpoCli.commandLine().setErr(new PrintWriter(err, true)).execute(args);
      return new CliRun(exit, out.toString(), err.toString());
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
