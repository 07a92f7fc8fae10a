package dev.drpo.job;

import java.io.IOException;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The checkpoints Flink retains under a job's {@code checkpoints.directory} ({@code <dir>/<job
 * id>/chk-<n>/_metadata}; the job retains them on cancellation, and they stay when the JobManager
 * dies): where a job resumes from when its JobManager was lost without high availability. Read
 * through Flink's file systems, so any URI the checkpoints can be written to (file://, s3://,
 * hdfs://) can be searched. A directory is assumed to hold one job's checkpoints (each job its own
 * checkpoints.directory), whatever its job ids.
 */
public final class RetainedCheckpoints {
  private static final Pattern CHECKPOINT = Pattern.compile("chk-\\d+");
  private static final String METADATA = "_metadata";

  private RetainedCheckpoints() {}

  /**
   * The complete checkpoint (it has its {@code _metadata}) written last under the directory.
   *
   * @throws IllegalArgumentException naming the setting when there is none
   */
  public static String latest(String checkpointsDirectory) throws IOException {
    Path root = new Path(checkpointsDirectory);
    FileSystem fs = root.getFileSystem();
    FileStatus[] jobs = fs.exists(root) ? fs.listStatus(root) : null;
    Path latest = null;
    long latestTime = Long.MIN_VALUE;
    for (FileStatus job : jobs == null ? new FileStatus[0] : jobs) {
      FileStatus[] checkpoints = job.isDir() ? fs.listStatus(job.getPath()) : null;
      for (FileStatus checkpoint : checkpoints == null ? new FileStatus[0] : checkpoints) {
        Path metadata = new Path(checkpoint.getPath(), METADATA);
        if (checkpoint.isDir() && CHECKPOINT.matcher(checkpoint.getPath().getName()).matches() && fs.exists(metadata)) {
          long written = fs.getFileStatus(metadata).getModificationTime();
          if (written > latestTime) {
            latestTime = written;
            latest = checkpoint.getPath();
          }
        }
      }
    }
    if (latest == null) {
      throw new IllegalArgumentException("no complete checkpoint (<job id>/chk-<n>/_metadata) under " + checkpointsDirectory
          + " (checkpoints.directory)");
    }
    return latest.toString();
  }
}
