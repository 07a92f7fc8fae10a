package dev.drpo.app.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.apache.flink.util.FileUtils;
import org.apache.lucene.index.IndexWriter;

/**
 * HNSW indexes the catalog benchmark built, kept between its runs (under a directory of the
 * user's choice): the benchmark's items of a size are always the same (drawn from a seed), so an
 * index built once for a size and graph settings serves every later run with them, and a quick
 * run at a million items skips the build (about 20 minutes on 2 cores). Each index is a directory
 * of Lucene files with {@code build.json}, the seconds its build took.
 */
final class BuiltIndexes {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BUILD = "build.json";
  /** Changes whenever the benchmark draws its items differently: indexes kept by an older one are not used. */
  private static final String ITEMS_VERSION = "v1";

  private final Path root;

  BuiltIndexes(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  private Path entry(int items, int dimension, int m, int beamWidth) {
    return root.resolve(String.format(Locale.ROOT, "%s-items-%d-d%d-m%d-bw%d", ITEMS_VERSION, items, dimension, m, beamWidth));
  }

  /**
   * Copies the index kept for these items and settings into {@code into}, if there is one.
   *
   * @return the seconds its build took; empty if none is kept
   */
  OptionalDouble copyInto(int items, int dimension, int m, int beamWidth, Path into) throws IOException {
    Path entry = entry(items, dimension, m, beamWidth);
    if (!Files.isRegularFile(entry.resolve(BUILD))) {
      return OptionalDouble.empty();
    }
    Files.createDirectories(into);
    try (Stream<Path> files = Files.list(entry)) {
      for (Path file : files.filter(f -> !f.getFileName().toString().equals(BUILD)).toList()) {
        Files.copy(file, into.resolve(file.getFileName()));
      }
    }
    return OptionalDouble.of(JSON.readTree(entry.resolve(BUILD).toFile()).get("build_s").asDouble());
  }

  /** Keeps the committed index in {@code from} (closed: no writer holds it) for these items and settings. */
  void keep(int items, int dimension, int m, int beamWidth, Path from, double buildS) throws IOException {
    Path entry = entry(items, dimension, m, beamWidth);
    Path partial = entry.resolveSibling(entry.getFileName() + ".partial");
    FileUtils.deleteDirectoryQuietly(partial.toFile());
    Files.createDirectories(partial);
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.filter(f -> !f.getFileName().toString().equals(IndexWriter.WRITE_LOCK_NAME)).toList()) {
        Files.copy(file, partial.resolve(file.getFileName()));
      }
    }
    JSON.writeValue(partial.resolve(BUILD).toFile(), Map.of("build_s", buildS));
    FileUtils.deleteDirectoryQuietly(entry.toFile());
    Files.move(partial, entry);
  }
}
