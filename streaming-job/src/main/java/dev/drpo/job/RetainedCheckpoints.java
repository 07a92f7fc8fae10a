package dev.drpo.job;

import java.io.FileNotFoundException;
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
   * The complete checkpoint or savepoint (it has its {@code _metadata}) written last. A directory
   * deleted while it is read (Flink removes subsumed checkpoints, also after a cancel) is skipped.
   *
   * @throws IllegalArgumentException naming the settings when there is none, or a directory cannot be read
   */
  public static String latest(JobConfig.Checkpoints settings) {
    Newest newest = new Newest();
    for (FileStatus job : list(new Path(settings.directory()), "checkpoints.directory")) {
      for (FileStatus checkpoint : job.isDir() ? list(job.getPath(), "checkpoints.directory") : new FileStatus[0]) {
        if (CHECKPOINT.matcher(checkpoint.getPath().getName()).matches()) {
          newest.consider(checkpoint, "checkpoints.directory");
        }
      }
    }
    for (FileStatus savepoint : list(new Path(settings.savepointDirectory()), "checkpoints.savepoint-directory")) {
      newest.consider(savepoint, "checkpoints.savepoint-directory");
    }
    if (newest.path == null) {
      throw new IllegalArgumentException("no complete checkpoint (<job id>/chk-<n>/_metadata) under " + settings.directory()
          + " (checkpoints.directory) and no savepoint under " + settings.savepointDirectory() + " (checkpoints.savepoint-directory)");
    }
    return newest.path.toString();
  }

  /**
   * The directory's entries: none if it does not exist (or no longer does). A listing that finds
   * an entry gone (a local file system reads each entry's status after the names) is read again.
   */
  private static FileStatus[] list(Path directory, String setting) {
    try {
      FileSystem fs = directory.getFileSystem();
      for (int attempt = 1; ; attempt++) {
        try {
          FileStatus[] entries = fs.exists(directory) ? fs.listStatus(directory) : null;
          return entries == null ? new FileStatus[0] : entries;
        } catch (FileNotFoundException deleted) {
          if (!fs.exists(directory)) {
            return new FileStatus[0];
          }
          if (attempt == 10) {
            throw deleted;
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(unreadable(directory, setting, e), e);
    }
  }

  private static String unreadable(Path directory, String setting, IOException e) {
    return "cannot list " + directory + " (" + setting + "): " + e;
  }

  /** The directory whose _metadata was written last, among those considered. */
  private static final class Newest {
    Path path;
    long written = Long.MIN_VALUE;

    void consider(FileStatus directory, String setting) {
      Path metadata = new Path(directory.getPath(), METADATA);
      try {
        FileSystem fs = metadata.getFileSystem();
        if (directory.isDir() && fs.exists(metadata)) {
          long time = fs.getFileStatus(metadata).getModificationTime();
          if (time > written) {
            written = time;
            path = directory.getPath();
          }
        }
      } catch (FileNotFoundException deleted) {
        // removed since it was listed: not a candidate
      } catch (IOException e) {
        throw new IllegalArgumentException(unreadable(directory.getPath(), setting, e), e);
      }
    }
  }
}
