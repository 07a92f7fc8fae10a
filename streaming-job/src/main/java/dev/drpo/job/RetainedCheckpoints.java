package dev.drpo.job;

import java.io.IOException;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * What a job resumes from when its JobManager was lost without high availability: the newest of
 * the checkpoints Flink retains under its {@code checkpoints.directory} ({@code <dir>/<job
 * id>/chk-<n>/_metadata}; the job retains them on cancellation, and they stay when the JobManager
 * dies) and the savepoints under its {@code checkpoints.savepoint-directory} ({@code
 * <dir>/savepoint-.../_metadata}), so that a job lost before the first checkpoint after a rollout
 * from a savepoint resumes from that savepoint, not from the older job's last checkpoint. Read
 * through Flink's file systems (file://, s3://, hdfs://). The directories are assumed to hold one
 * job's checkpoints and savepoints (each job its own), whatever its job ids.
 */
public final class RetainedCheckpoints {
  private static final Pattern CHECKPOINT = Pattern.compile("chk-\\d+");
  private static final String METADATA = "_metadata";

  private RetainedCheckpoints() {}

  /**
   * The complete checkpoint or savepoint (it has its {@code _metadata}) written last.
   *
   * @throws IllegalArgumentException naming the settings when there is none, or a directory cannot be read
   */
  public static String latest(JobConfig.Checkpoints settings) {
    Newest newest = new Newest();
    try {
      for (FileStatus job : list(new Path(settings.directory()))) {
        for (FileStatus checkpoint : job.isDir() ? list(job.getPath()) : new FileStatus[0]) {
          if (CHECKPOINT.matcher(checkpoint.getPath().getName()).matches()) {
            newest.consider(checkpoint);
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot list " + settings.directory() + " (checkpoints.directory): " + e, e);
    }
    try {
      for (FileStatus savepoint : list(new Path(settings.savepointDirectory()))) {
        newest.consider(savepoint);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot list " + settings.savepointDirectory() + " (checkpoints.savepoint-directory): " + e, e);
    }
    if (newest.path == null) {
      throw new IllegalArgumentException("no complete checkpoint (<job id>/chk-<n>/_metadata) under " + settings.directory()
          + " (checkpoints.directory) and no savepoint under " + settings.savepointDirectory() + " (checkpoints.savepoint-directory)");
    }
    return newest.path.toString();
  }

  private static FileStatus[] list(Path directory) throws IOException {
    FileSystem fs = directory.getFileSystem();
    FileStatus[] entries = fs.exists(directory) ? fs.listStatus(directory) : null;
    return entries == null ? new FileStatus[0] : entries;
  }

  /** The directory whose _metadata was written last, among those considered. */
  private static final class Newest {
    Path path;
    long written = Long.MIN_VALUE;

    void consider(FileStatus directory) throws IOException {
      Path metadata = new Path(directory.getPath(), METADATA);
      FileSystem fs = metadata.getFileSystem();
      if (directory.isDir() && fs.exists(metadata)) {
        long time = fs.getFileStatus(metadata).getModificationTime();
        if (time > written) {
          written = time;
          path = directory.getPath();
        }
      }
    }
  }
}
