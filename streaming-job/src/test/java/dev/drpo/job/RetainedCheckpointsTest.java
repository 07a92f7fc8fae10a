package dev.drpo.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Where `drpo run --from-latest-checkpoint` resumes after the JobManager was lost without high availability. */
class RetainedCheckpointsTest {
  private static final Instant FIRST_JOB_CHECKPOINTED = Instant.parse("2026-12-07T10:00:00Z");
  private static final Instant JOBMANAGER_RESTARTED_THE_JOB = Instant.parse("2026-12-07T10:05:00Z");
  private static final Instant LAST_CHECKPOINT_BEFORE_THE_LOSS = Instant.parse("2026-12-07T10:09:00Z");
  private static final Instant CHECKPOINT_CUT_SHORT = Instant.parse("2026-12-07T10:09:30Z");

  private static final Instant ROLLED_OUT_FROM_A_SAVEPOINT = Instant.parse("2026-12-07T10:10:00Z");

  @TempDir
  Path checkpoints;
  @TempDir
  Path savepoints;

  private JobConfig.Checkpoints settings() {
    return JobConfig.defaults().with(Map.of("checkpoints.directory", checkpoints.toUri().toString(),
        "checkpoints.savepoint-directory", savepoints.toUri().toString())).checkpoints();
  }

  @Test
  void shouldResumeFromTheNewestCompleteCheckpointOfAnyJobIdInTheDirectory() throws Exception {
    complete(checkpoints, "0f3a/chk-41", FIRST_JOB_CHECKPOINTED);
    complete(checkpoints, "9b1c/chk-3", JOBMANAGER_RESTARTED_THE_JOB);
    complete(checkpoints, "9b1c/chk-12", LAST_CHECKPOINT_BEFORE_THE_LOSS);
    Files.createDirectories(checkpoints.resolve("9b1c/chk-13")); // no _metadata: the loss cut it short
    Files.setLastModifiedTime(checkpoints.resolve("9b1c/chk-13"), FileTime.from(CHECKPOINT_CUT_SHORT));
    Files.createDirectories(checkpoints.resolve("9b1c/shared"));
    Files.createDirectories(checkpoints.resolve("9b1c/taskowned"));

    assertThat(RetainedCheckpoints.latest(settings())).endsWith("/9b1c/chk-12");
  }

  @Test
  void shouldResumeFromASavepointNewerThanEveryCheckpoint() throws Exception {
    complete(checkpoints, "9b1c/chk-12", LAST_CHECKPOINT_BEFORE_THE_LOSS);
    complete(savepoints, "savepoint-9b1c00-0123456789ab", ROLLED_OUT_FROM_A_SAVEPOINT);
    Files.createDirectories(savepoints.resolve("savepoint-9b1c00-ba9876543210")); // not finished

    assertThat(RetainedCheckpoints.latest(settings())).endsWith("/savepoint-9b1c00-0123456789ab");
  }

  @Test
  void shouldNameTheSettingsWhenTheDirectoriesHoldNoCompleteCheckpoint() throws Exception {
    Files.createDirectories(checkpoints.resolve("9b1c/chk-1"));
    assertThatThrownBy(() -> RetainedCheckpoints.latest(settings()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no complete checkpoint")
        .hasMessageContaining("(checkpoints.directory) and no savepoint under").hasMessageContaining("(checkpoints.savepoint-directory)");
    JobConfig.Checkpoints neverWritten = JobConfig.defaults().with(Map.of(
        "checkpoints.directory", checkpoints.resolve("never-written").toUri().toString(),
        "checkpoints.savepoint-directory", savepoints.resolve("never-written").toUri().toString())).checkpoints();
    assertThatThrownBy(() -> RetainedCheckpoints.latest(neverWritten)).hasMessageContaining("never-written (checkpoints.directory)");
  }

  @Test
  void shouldRefuseASavepointAndTheLatestCheckpointTogetherOnOneLine() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cli = RunCommand.withInputErrorsOnOneLine(new CommandLine(new RunCommand()));
    cli.setErr(new PrintWriter(err, true));

    int code = cli.execute("--set", "checkpoints.directory=" + checkpoints.toUri(), "--from-savepoint", "/tmp/sp/1",
        "--from-latest-checkpoint");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).isEqualTo(
        "drpo: --from-savepoint (or flink run -s) and --from-latest-checkpoint: give one of them" + System.lineSeparator());
  }

  private static void complete(Path root, String directory, Instant written) throws Exception {
    Path metadata = Files.createDirectories(root.resolve(directory)).resolve("_metadata");
    Files.write(metadata, new byte[] {1});
    Files.setLastModifiedTime(metadata, FileTime.from(written));
  }
}
