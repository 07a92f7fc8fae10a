package dev.drpo.app.bench;

import dev.drpo.app.demo.InJvmMetrics;
import dev.drpo.job.DrpoJob;
import dev.drpo.job.JobConfig;
import dev.drpo.job.kafka.ItemsTopic;
import dev.drpo.job.kafka.KafkaEndpoints;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job as the benchmarks run it: on a local Flink cluster in this JVM (RocksDB, 256 MB of
 * managed memory, a slot per parallel instance), its metrics kept in the JVM ({@link InJvmMetrics}).
 */
final class LocalJob {
  private LocalJob() {}

  /** @param restoreFrom a checkpoint or savepoint to start from, or null */
  static JobClient start(JobConfig config, String restoreFrom) throws Exception {
    Configuration flink = DrpoJob.flinkConfiguration(config);
    flink.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("256m"));
    flink.set(TaskManagerOptions.NUM_TASK_SLOTS, config.job().parallelism());
    flink.setString("metrics.reporter.injvm.factory.class", InJvmMetrics.Factory.class.getName());
    if (restoreFrom != null) {
      flink.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom);
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(flink);
    DrpoJob.build(env, KafkaEndpoints.create(config), ItemsTopic.loader(config), config);
    return env.executeAsync();
  }

  /** Waits until the trainer has published a version. */
  static void awaitFirstVersion(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!(InJvmMetrics.max("policyVersion") >= 1)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the job published no policy version within " + timeout.toSeconds() + " s");
      }
      Thread.sleep(100);
    }
  }
}
