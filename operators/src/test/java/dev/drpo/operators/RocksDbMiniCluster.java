package dev.drpo.operators;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The Flink MiniCluster the job's tests run on: RocksDB state, as a deployment runs it. */
public final class RocksDbMiniCluster {
  private RocksDbMiniCluster() {}

  /** A cluster for a test class ({@code @RegisterExtension static final}). */
  public static MiniClusterExtension of(int taskManagers, int slotsPerTaskManager) {
    Configuration c = new Configuration();
    c.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    // RocksDB warns about poor performance without managed memory
    c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("128m"));
    return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
        .setNumberTaskManagers(taskManagers)
        .setNumberSlotsPerTaskManager(slotsPerTaskManager)
        .setConfiguration(c)
        .build());
  }
}
