package dev.drpo.model.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads {@code id,f1,...,fd} lines (items or users; no header; blank lines skipped). */
public final class EmbeddingsCsv {

  /** Ids and vectors, in file order. */
  public record Embeddings(List<String> ids, float[][] vectors) {}

  private EmbeddingsCsv() {}

  public static Embeddings read(Path file) throws IOException {
    List<String> ids = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    int line = 0;
    for (String text : Files.readAllLines(file)) {
      line++;
      if (text.isBlank()) {
        continue;
      }
      String[] cells = text.split(",");
      if (cells.length < 3) {
        throw new IllegalArgumentException(file + ":" + line + ": expected id,f1,...,fd with d >= 2");
      }
      if (!vectors.isEmpty() && cells.length - 1 != vectors.get(0).length) {
        throw new IllegalArgumentException(file + ":" + line + ": " + (cells.length - 1) + " values, the first line has "
            + vectors.get(0).length);
      }
      float[] v = new float[cells.length - 1];
      for (int j = 0; j < v.length; j++) {
        try {
          v[j] = Float.parseFloat(cells[j + 1].trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(file + ":" + line + ": value " + (j + 1) + " is not a number: " + cells[j + 1]);
        }
        if (!Float.isFinite(v[j])) {
          throw new IllegalArgumentException(file + ":" + line + ": value " + (j + 1) + " is not finite");
        }
      }
      ids.add(cells[0].trim());
      vectors.add(v);
    }
    if (ids.isEmpty()) {
      throw new IllegalArgumentException(file + ": no embeddings");
    }
    return new Embeddings(ids, vectors.toArray(float[][]::new));
  }
}
