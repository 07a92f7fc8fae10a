package dev.drpo.app.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.util.FileUtils;

/**
 * The built artifacts the processes run from (an *IT test runs after package): this module's
 * drpo.jar with target/lib (the command line: catalog, users, a local `run`), and the job module's
 * drpo-job.jar with target/flink-lib (what a cluster runs).
 */
final class Distribution {
  static final Path TARGET = Path.of("target").toAbsolutePath();
  /** The job module's target: what a Flink cluster runs. */
  static final Path JOB_TARGET = ComposeFile.ROOT.resolve("streaming-job/target");
  /**
   * In target/lib for the command line (this project's jars: the job's own come with the submitted
   * jar or flink-lib), the demo's in-process broker and the benchmarks' charts, never in a Flink image.
   */
  private static final List<String> NOT_FLINK = List.of("drpo-", "kafka_", "kafka-server", "kafka-metadata", "kafka-raft", "kafka-storage",
      "kafka-coordinator-common", "kafka-group-coordinator", "kafka-share-coordinator", "kafka-transaction-coordinator",
      "kafka-tools-api", "kafka-test-common", "scala-", "junit-", "opentest4j", "apiguardian", "jfreechart", "HdrHistogram",
      "argparse4j", "jopt-simple", "metrics-core", "pcollections", "hash4j", "caffeine");

  private Distribution() {}

  static Path drpoJar() {
    return TARGET.resolve("drpo.jar");
  }

  /** What {@code java -jar drpo.jar} runs with (its manifest lists target/lib). */
  static List<Path> drpo() {
    List<Path> cp = new ArrayList<>(List.of(drpoJar()));
    cp.addAll(jars(TARGET.resolve("lib")));
    return cp;
  }

  /** The Kafka broker's jars (kafka_2.13 and what it needs). */
  static List<Path> kafka() {
    return jars(TARGET.resolve("lib"));
  }

  /**
   * A Flink installation as compose has it: Flink's own jars (the image's /opt/flink/lib, here from
   * Maven) and the job module's target/flink-lib (mounted into lib/drpo). Not drpo-job.jar: the job's
   * own classes come with the submitted jar.
   */
  static List<Path> flink() {
    List<Path> flinkLib = jars(JOB_TARGET.resolve("flink-lib"));
    Set<String> job = flinkLib.stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    List<Path> cp = new ArrayList<>();
    for (Path jar : jars(TARGET.resolve("lib"))) {
      String name = jar.getFileName().toString();
      if (!job.contains(name) && NOT_FLINK.stream().noneMatch(name::startsWith)) {
        cp.add(jar);
      }
    }
    cp.addAll(flinkLib);
    return cp;
  }

  /** An empty target/NAME: the processes' logs and data stay there after the test, for a look when it failed. */
  static Path freshDirectory(String name) throws IOException {
    Path dir = TARGET.resolve(name);
    FileUtils.deleteDirectory(dir.toFile());
    return Files.createDirectories(dir);
  }

  private static List<Path> jars(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException(dir + " is missing: run the *IT tests with `mvn verify` (after package)");
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
