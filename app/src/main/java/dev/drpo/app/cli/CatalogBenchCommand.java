package dev.drpo.app.cli;

import dev.drpo.app.bench.CatalogBenchmark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code drpo bench catalog}: what a catalog of a given size costs a scorer. */
@Command(
    name = "catalog",
    mixinStandardHelpOptions = true,
    description = {
      "Per catalog size: memory per scoring instance, index build time, recall@10 against exact search, latency per",
      "request (open-loop, one at a time and batched, HdrHistogram) next to exact search, and in the job (in-JVM broker,",
      "local Flink cluster): time to load the items topic, time from an upsert on the topic to the scorer applying it,",
      "checkpoint size and duration, restore time. Sizes above 100k need a large heap: DRPO_JAVA_OPTS=-Xmx12g.",
      "--quick measures 1M in minutes once an earlier --quick run has built its index."})
final class CatalogBenchCommand implements Callable<Integer> {

  @Option(names = "--items", split = ",", defaultValue = "10k,100k,1M",
      description = "Catalog sizes, e.g. 10k,100k,1M (default: ${DEFAULT-VALUE}).")
  List<String> items;

  @Option(names = "--queries", defaultValue = "2000", description = "Requests per latency measurement (default: ${DEFAULT-VALUE}).")
  int queries;

  @Option(names = "--rate", defaultValue = "100", description = "Requests per second, open-loop (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(names = "--batch", defaultValue = "32", description = "Requests per burst, batched (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--set", description = "A job setting, key=value as in conf/job.yaml (repeatable), e.g. catalog.hnsw.candidates=200.")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--quick", description = {"The job starts from the index the catalog alone was measured with (reopened, as",
      "after a restart where it was kept) instead of building it again, and indexes are kept for later runs in --built-indexes."})
  boolean quick;

  @Option(names = "--built-indexes", paramLabel = "DIR", description = {"With --quick: where built indexes are kept between runs",
      "and reused (the benchmark's items of a size are always the same), default: ${DEFAULT-VALUE}."},
      defaultValue = "${sys:java.io.tmpdir}/drpo-bench-catalog-indexes")
  Path builtIndexes;

  @Option(names = "--json", description = "End with one JSON line {\"sizes\":[...]}.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    List<Integer> sizes = new ArrayList<>();
    for (String s : items) {
      sizes.add(count(s));
    }
    if (queries < 200 || rate < 1 || batch < 1) {
      throw new IllegalArgumentException("--queries must be at least 200 (recall is measured on 200), --rate and --batch positive");
    }
    List<CatalogBenchmark.Size> measured = new CatalogBenchmark(new CatalogBenchmark.Options(sizes, queries, rate, batch, settings, quick,
        quick ? builtIndexes : null),
        System.out).run();
    System.out.print(CatalogBenchmark.table(measured));
    if (json) {
      System.out.println(CatalogBenchmark.json(measured));
    }
    return 0;
  }

  /** 5000, 10k, 1M. */
  static int count(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      int scale = t.endsWith("k") ? 1_000 : t.endsWith("m") ? 1_000_000 : 1;
      int n = Math.multiplyExact(Integer.parseInt(scale == 1 ? t : t.substring(0, t.length() - 1)), scale);
      if (n >= 100) {
        return n;
      }
    } catch (NumberFormatException | ArithmeticException e) {
      // reported below
    }
    throw new IllegalArgumentException("--items: expected sizes of at least 100 such as 5000, 10k or 1M, got '" + text + "'");
  }
}
