package dev.drpo.app.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpo.operators.catalog.CatalogItems;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.apache.flink.util.FileUtils;
import org.apache.lucene.index.IndexWriter;

/**
 * HNSW indexes the catalog benchmark built, kept between its runs (under a directory of the
 * user's choice): an index built once for a set of items and graph settings serves every later run
 * with the same items, and a quick run at a million items skips the build (about 20 minutes on 2
 * cores). Indexes are kept under a hash of the items' ids and embeddings, not of how they were
 * drawn: the same seed draws other items on another JDK (its Gaussian sampler changed), and an index
 * of other items must not be taken for theirs. Each index is a directory of Lucene files with
 * {@code build.json}, the seconds its build took.
 */
final class BuiltIndexes {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BUILD = "build.json";

  private final Path root;

  BuiltIndexes(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  private Path entry(CatalogItems items, int m, int beamWidth) {
    return root.resolve(String.format(Locale.ROOT, "items-%d-d%d-%s-m%d-bw%d", items.size(), items.dimension(),
        contentHash(items), m, beamWidth));
  }

  /** The first 8 bytes of SHA-256 over the items' ids and embeddings, in hex. */
  static String contentHash(CatalogItems items) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      ByteBuffer floats = ByteBuffer.allocate(items.dimension() * Float.BYTES);
      for (int i = 0; i < items.size(); i++) {
        digest.update(items.ids()[i].getBytes(StandardCharsets.UTF_8));
        floats.clear();
        floats.asFloatBuffer().put(items.embeddings()[i]);
        digest.update(floats);
      }
      return HexFormat.of().formatHex(digest.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Copies the index kept for these items and settings into {@code into}, if there is one.
   *
   * @return the seconds its build took; empty if none is kept
   */
  OptionalDouble copyInto(CatalogItems items, int m, int beamWidth, Path into) throws IOException {
    Path entry = entry(items, m, beamWidth);
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
  void keep(CatalogItems items, int m, int beamWidth, Path from, double buildS) throws IOException {
    Path entry = entry(items, m, beamWidth);
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
