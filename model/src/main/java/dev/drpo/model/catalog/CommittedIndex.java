package dev.drpo.model.catalog;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One commit of a {@link KeptIndex}: the files in {@code directory} that make it up (Lucene never
 * changes a file once written), its segments file (the one a reader opens first) and its commit
 * data. Its files stay on disk until it is closed, even if later commits replace it.
 */
public final class CommittedIndex implements AutoCloseable {
  private final Path directory;
  private final String segmentsFile;
  private final List<String> files;
  private final Map<String, String> data;
  private final Runnable release;

  CommittedIndex(Path directory, String segmentsFile, List<String> files, Map<String, String> data, Runnable release) {
    this.directory = directory;
    this.segmentsFile = segmentsFile;
    this.files = files;
    this.data = Map.copyOf(data);
    this.release = release;
  }

  public Path directory() {
    return directory;
  }

  public String segmentsFile() {
    return segmentsFile;
  }

  /** Every file of the commit, the segments file among them. */
  public List<String> files() {
    return files;
  }

  public Map<String, String> data() {
    return data;
  }

  /** Lets the index delete the commit's files once a later commit has replaced it. */
  @Override
  public void close() {
    release.run();
  }
}
