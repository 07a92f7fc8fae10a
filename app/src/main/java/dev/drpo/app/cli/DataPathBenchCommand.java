package dev.drpo.app.cli;

import dev.drpo.app.bench.DataPathBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drpo bench datapath}: records/s through the data path vs decoding alone. */
@Command(
    name = "datapath",
    mixinStandardHelpOptions = true,
    description = {
      "Records/s and CPU per record through decode -> sessions -> quality -> hard filter on a local",
      "Flink cluster with RocksDB (no checkpoints), next to a decode-only job over the same generated",
      "records in the same run (3 alternating rounds, the best of each)."})
final class DataPathBenchCommand implements Callable<Integer> {

  @Option(names = "--records", defaultValue = "1000000", description = "Records per job (default: ${DEFAULT-VALUE}).")
  long records;

  @Option(names = "--users", defaultValue = "10000",
      description = "Users the records come from (default: ${DEFAULT-VALUE}); the sessions stage holds 20,000 per instance on the heap.")
  int users;

  @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism of both jobs (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(names = "--json", description = "End with one JSON line.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (records < 1 || parallelism < 1 || users < 1) {
      throw new IllegalArgumentException("--records, --users and --parallelism must be positive");
    }
    DataPathBenchmark.Result result = DataPathBenchmark.run(records, users, parallelism);
    System.out.print(result.table());
    if (json) {
      System.out.println(result.json());
    }
    return 0;
  }
}
