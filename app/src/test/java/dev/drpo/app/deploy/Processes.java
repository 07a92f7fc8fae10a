package dev.drpo.app.deploy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The JVM processes a deployment test starts, each with its output in {@code logs/<name>.log}.
 * {@link #close()} kills every one still alive (and its children), also when the test failed; a
 * shutdown hook does the same if the test JVM itself is stopped.
 */
final class Processes implements AutoCloseable {
  private static final int FIRST_PORT = 10_000;
  /** Ports given out before, not handed out again (they may not be bound yet). */
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  /** The module and native-access flags this JVM runs with (the build's jvm.flags), passed on: Lucene's SIMD code needs them. */
  private static final List<String> MODULE_FLAGS = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
      .filter(a -> a.startsWith("--add-modules") || a.startsWith("--enable-native-access")).toList();
  private final Path logs;
  private final List<Process> started = new ArrayList<>();
  private final Thread hook = new Thread(this::killAll);

  Processes(Path logs) throws IOException {
    this.logs = Files.createDirectories(logs);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** A Java process: {@code java <jvmArgs> -cp <classpath> <mainClass> <args>}, with these extra environment variables. */
  synchronized Process start(String name, List<Path> classpath, List<String> jvmArgs, String mainClass, List<String> args,
      Map<String, String> environment) {
    List<String> command = new ArrayList<>();
    command.add(JAVA);
    command.addAll(MODULE_FLAGS);
    command.addAll(jvmArgs);
    command.add("-Dlog4j2.configurationFile=" + resource("process-log4j2.properties"));
    command.add("-Dlog4j.configurationFile=" + resource("process-log4j2.properties"));
    command.add("-cp");
    command.add(String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList()));
    command.add(mainClass);
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile()));
    builder.environment().put("OMP_NUM_THREADS", "1");
    builder.environment().putAll(environment);
    try {
      Process p = builder.start();
      started.add(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  /** Starts a process and waits for it to end; its exit code. */
  int run(String name, List<Path> classpath, List<String> jvmArgs, String mainClass, List<String> args,
      Map<String, String> environment, Duration timeout) throws InterruptedException {
    Process p = start(name, classpath, jvmArgs, mainClass, args, environment);
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      kill(p);
      throw new IllegalStateException(name + " did not end within " + timeout + "; its output: " + log(name));
    }
    return p.exitValue();
  }

  Path log(String name) {
    return logs.resolve(name + ".log");
  }

  String output(String name) throws IOException {
    return Files.readString(log(name), StandardCharsets.UTF_8);
  }

  /** Every line every process wrote so far. */
  List<String> allLines() throws IOException {
    try (Stream<Path> files = Files.list(logs)) {
      List<String> lines = new ArrayList<>();
      for (Path f : files.toList()) {
        lines.addAll(Files.readAllLines(f, StandardCharsets.ISO_8859_1));
      }
      return lines;
    }
  }

  /** kill -9 of the process and its children. */
  static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A free port below the kernel's range of ephemeral ports, so that a process restarted by a test
   * gets its port back: while it is down, an outgoing connection (even a client reconnecting to it)
   * could take a port of that range.
   */
  static int freePort() {
    int below = ephemeralPortsFrom();
    if (below - FIRST_PORT < 1_000) { // no room below the range: any free port
      try (ServerSocket s = new ServerSocket(0)) {
        return s.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = FIRST_PORT + ThreadLocalRandom.current().nextInt(below - FIRST_PORT);
      if (HANDED_OUT.contains(port)) {
        continue;
      }
      try (ServerSocket s = new ServerSocket(port)) {
        HANDED_OUT.add(port);
        return port;
      } catch (IOException taken) {
        // another one
      }
    }
    throw new IllegalStateException("no free port between " + FIRST_PORT + " and " + below);
  }

  private static int ephemeralPortsFrom() {
    try {
      // readAllLines: Files.readString gives only the first byte of a /proc file
      return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException unknown) {
      return 32_768; // Linux's default
    }
  }

  private static String resource(String name) {
    try {
      return Path.of(Processes.class.getResource("/" + name).toURI()).toString();
    } catch (Exception e) {
      throw new IllegalStateException("test resource " + name + " missing", e);
    }
  }

  private synchronized void killAll() {
    started.stream().filter(Process::isAlive).forEach(Processes::kill);
  }

  @Override
  public void close() {
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }
}
