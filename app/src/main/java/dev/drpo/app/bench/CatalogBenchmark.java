package dev.drpo.app.bench;

import dev.drpo.app.demo.Demo;
import dev.drpo.app.demo.InJvmMetrics;
import dev.drpo.embedded.EmbeddedKafka;
import dev.drpo.job.JobConfig;
import dev.drpo.job.RetainedCheckpoints;
import dev.drpo.job.kafka.CheckedProducer;
import dev.drpo.job.kafka.CommittedRecords;
import dev.drpo.job.kafka.ItemsTopic;
import dev.drpo.model.catalog.ItemCatalog.Ranking;
import dev.drpo.model.catalog.ItemCatalog.Similarity;
import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.model.catalog.KeptIndex;
import dev.drpo.model.catalog.LuceneVectorization;
import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.operators.catalog.IndexCommitData;
import dev.drpo.simulator.SimulatorConfig;
import dev.drpo.simulator.World;
import dev.drpo.simulator.bench.ResultJson;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a catalog of a given size costs a scorer, measured in two parts per size.
 *
 * <p>The catalog alone, in this JVM: items drawn as the simulator draws them (the topic mixture of
 * {@link World}, d = 128), queries drawn as its users' interests (what a good policy's mu(s) points
 * at). The catalog as the job's settings make it (exact below {@code catalog.ann-above}, HNSW above),
 * next to exact search over the same items as the baseline: memory (heap after a full GC, plus the
 * index files, which are memory-mapped), build time, recall@10 against exact search (and the sum of
 * the returned top 10's cosines over that of the exact top 10: what a miss costs), and latency
 * per request, open-loop ({@code rate} requests per second, each timed from its scheduled start,
 * HdrHistogram percentiles): one request at a time, and in bursts of {@code batch} answered together
 * (as the scorer's micro-batches are), with the CPU used per request meanwhile.
 *
 * <p>The catalog in the job: the items written to the items topic of an in-JVM broker, the job on a
 * local Flink cluster (parallelism 1, no training traffic, a probe asking for 10 items every 50 ms),
 * and: the time from submission until the scorer first answers and until it has loaded the topic
 * and built its index, with the job's restarts and completed and failed checkpoints meanwhile; the
 * memory the job holds then; the time from an upsert sent to the topic until the scorer has applied
 * it (its {@code catalogUpdates} counter; an applied item is a candidate for the next request); the
 * size and duration of the job's checkpoints; and the time from a restart from the latest retained
 * checkpoint until the scorer has its catalog again, where its index was kept and on a fresh
 * TaskManager (an empty local index directory: the index comes from the durable directory).
 *
 * <p>Quick ({@link Options#quick()}): per size, the items topic is written first and the catalog
 * alone is measured on an index kept where the job's scorer finds it, committed as the job would
 * have (the topic's identity and end offsets), so the job reopens it instead of building it again;
 * an index built in an earlier quick run for the same size and graph settings is copied instead of
 * built ({@link BuiltIndexes}). The job's load is then a reopen, and {@code index_builds_in_the_job}
 * says so (0).
 */
public final class CatalogBenchmark {
  private static final int D = 128;
  private static final int RECALL_QUERIES = 200;
  /**
   * Below this recall@10 the index and the exact search disagree about which items exist (an index
   * of other items), which no graph setting explains (the worst measured: 0.94): the run fails.
   */
  private static final double MIN_RECALL = 0.5;
  private static final int EXCLUDED = 10;
  private static final int UPDATES = 20;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final Options options;
  private final PrintStream console;

  /**
   * @param sizes catalog sizes, in turn
   * @param queries requests per latency measurement
   * @param rate requests per second, open-loop
   * @param batch requests per burst in the batched measurement
   * @param overrides job settings (e.g. catalog.hnsw.*)
   * @param quick the job starts from the index the catalog alone was measured with, instead of
   *     building it again (the load in the job is then a reopen)
   * @param builtIndexes where indexes built in earlier runs are kept and reused (only when quick); null: none
   */
  public record Options(List<Integer> sizes, int queries, int rate, int batch, Map<String, String> overrides, boolean quick,
      Path builtIndexes) {}

  /**
   * Percentiles of one latency measurement, microseconds, and the CPU time of the thread that
   * searched, per request (what a scorer's task thread spends on it; OpenBLAS computes on that
   * thread with {@code OMP_NUM_THREADS=1}, as {@code ./drpo} sets it; Lucene's merges and the
   * collector run on others).
   */
  public record Latency(double p50, double p99, double max, double cpuUsPerRequest) {}

  /** Everything measured at one size. */
  public record Size(int items, String retrieval, double memoryMb, double indexMb, double buildS, double exactMemoryMb,
      double recallAt10, double scoreRatio, Latency single, int burst, Latency batched, Latency exactSingle, double topicWriteS,
      boolean quick, boolean indexBuiltEarlier, InJob job) {

    Map<String, Object> json() {
      return ResultJson.fields("items", items, "retrieval", retrieval, "memory_mb", memoryMb, "index_mb", indexMb,
          "build_s", buildS, "quick", quick, "index_built_in_an_earlier_run", indexBuiltEarlier,
          "update_visible_ms", job.updateVisibleP50Ms, "update_visible_max_ms", job.updateVisibleMaxMs,
          "p50_us", single.p50, "p99_us", single.p99, "burst" + burst + "_p50_us", batched.p50, "burst" + burst + "_p99_us", batched.p99,
          "search_cpu_us_per_request", single.cpuUsPerRequest, "burst" + burst + "_search_cpu_us_per_request", batched.cpuUsPerRequest,
          "exact_search_cpu_us_per_request", exactSingle.cpuUsPerRequest,
          "recall_at_10", recallAt10, "score_ratio", scoreRatio, "exact_memory_mb", exactMemoryMb, "exact_p50_us", exactSingle.p50,
          "exact_p99_us", exactSingle.p99, "topic_write_s", topicWriteS, "load_s", job.loadS, "first_answer_s", job.firstAnswerS,
          "index_builds_in_the_job", job.indexBuildsDuringLoad,
          "restarts_during_load", job.restartsDuringLoad, "failed_checkpoints_during_load", job.failedCheckpointsDuringLoad,
          "checkpoints_during_load", job.checkpointsDuringLoad, "memory_per_taskmanager_mb", job.memoryMb,
          "embeddings_mb", items * (double) D * Float.BYTES / 1e6, "checkpoint_kb", job.checkpointKb, "checkpoint_ms", job.checkpointMs,
          "restore_s", job.restoreS, "restore_fresh_taskmanager_s", job.restoreFreshS, "first_answer_after_restart_s", job.firstAnswerFreshS);
    }
  }

  public CatalogBenchmark(Options options, PrintStream console) {
    this.options = options;
    this.console = console;
  }

  /**
   * The catalog alone at every size first (so no job's memory is still being released), then in the
   * job; quick: per size, the catalog alone on the topic's items, then the job from its index.
   */
  public List<Size> run() throws Exception {
    LuceneVectorization.requireSimd();
    JobConfig settings = JobConfig.defaults().with(options.overrides());
    List<Alone> alone = new ArrayList<>();
    for (int n : options.quick() ? List.<Integer>of() : options.sizes()) {
      alone.add(alone(n, items(n), new Built(settings.retrieval())));
    }
    List<Size> sizes = new ArrayList<>();
    for (int n : options.sizes()) {
      CatalogItems items = items(n);
      Path dir = Files.createTempDirectory("drpo-bench-catalog");
      try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir.resolve("kafka"))) {
        JobConfig config = settings.with(localSettings(kafka, dir));
        Demo.createTopics(kafka, config, true);
        long started = System.nanoTime();
        ItemsTopic.write(config.kafka().connection(), config.kafka().topics().items(), items);
        double topicWriteS = (System.nanoTime() - started) / 1e9;
        Alone a = options.quick() ? alone(n, items, new KeptForTheJob(config)) : alone.get(sizes.size());
        console.printf("%d items: in the job...%n", n);
        InJob job = inJob(config, items, dir);
        sizes.add(new Size(n, a.retrieval, a.memoryMb, a.indexMb, a.buildS, a.exactMemoryMb, a.recallAt10, a.scoreRatio, a.single,
            options.batch(), a.batched, a.exactSingle, topicWriteS, options.quick(), a.indexBuiltEarlier, job));
      } finally {
        FileUtils.deleteDirectory(dir.toFile());
      }
      console.println(ResultJson.write(sizes.get(sizes.size() - 1).json()));
    }
    return sizes;
  }

  /** The scorer's catalog that the catalog-alone part measures: how it is had, and what becomes of it after. */
  private interface ScorerCatalog {
    /** The catalog of the items, loaded, with its index (built now, or earlier). */
    ItemCatalog open(CatalogItems items) throws Exception;

    /** The seconds the index's build took, if it was built before {@link #open} (else open's time is the build's). */
    OptionalDouble builtEarlierS();

    /** Done measuring it; {@code buildS}: how long its build took. */
    void close(ItemCatalog catalog, double buildS) throws Exception;
  }

  /** Built as the job's settings say, in a temporary directory, and dropped after. */
  private record Built(ItemCatalog.Retrieval retrieval) implements ScorerCatalog {
    @Override
    public ItemCatalog open(CatalogItems items) {
      ItemCatalog catalog = new ItemCatalog(D, retrieval.temporary());
      items.loadInto(catalog, Map.of());
      catalog.buildIndex();
      return catalog;
    }

    @Override
    public OptionalDouble builtEarlierS() {
      return OptionalDouble.empty();
    }

    @Override
    public void close(ItemCatalog catalog, double buildS) {
      catalog.close();
    }
  }

  /**
   * Built (or copied from an earlier run's, {@link Options#builtIndexes()}) in a directory beside
   * the one the job's scorer will keep its index in, and committed there as the job would have
   * committed it after reading the whole items topic (the topic's identity, its end offsets): the
   * job's catalog finds it on the machine and reopens it ({@code LocalIndexCopies}) instead of
   * building it again.
   */
  private final class KeptForTheJob implements ScorerCatalog {
    private final JobConfig config;
    private final ItemCatalog.Retrieval beside;
    private final BuiltIndexes kept;
    private OptionalDouble builtEarlierS = OptionalDouble.empty();
    private CatalogItems opened;

    KeptForTheJob(JobConfig config) {
      this.config = config;
      beside = config.retrieval().forInstance("built-by-the-benchmark");
      kept = options.builtIndexes() == null ? null : new BuiltIndexes(options.builtIndexes());
    }

    @Override
    public ItemCatalog open(CatalogItems items) throws IOException {
      opened = items;
      Path directory = Path.of(beside.indexDirectory());
      builtEarlierS = kept == null ? OptionalDouble.empty()
          : kept.copyInto(items, beside.m(), beside.beamWidth(), directory);
      if (builtEarlierS.isPresent()) {
        console.printf("%d items: the index built in an earlier run (%.0f s), from %s%n", items.size(), builtEarlierS.getAsDouble(),
            kept.root());
        return ItemCatalog.reopen(D, beside);
      }
      ItemCatalog catalog = new ItemCatalog(D, beside);
      items.loadInto(catalog, Map.of());
      catalog.buildIndex();
      return catalog;
    }

    @Override
    public OptionalDouble builtEarlierS() {
      return builtEarlierS;
    }

    @Override
    public void close(ItemCatalog catalog, double buildS) throws Exception {
      KeptIndex index = catalog.keptIndex();
      try {
        if (index != null) {
          Map<String, String> identity = IndexCommitData.identity(ItemsTopic.loader(config), config.retrieval());
          index.commit(IndexCommitData.of(identity, endOffsets())).close();
        }
      } finally {
        catalog.close();
      }
      if (kept != null && index != null && builtEarlierS.isEmpty()) {
        kept.keep(opened, beside.m(), beside.beamWidth(), Path.of(beside.indexDirectory()), buildS);
        console.printf("kept the index in %s for later runs%n", kept.root());
      }
    }

    /** Per partition of the items topic, the offset after its last record. */
    private Map<Integer, Long> endOffsets() {
      try (KafkaConsumer<byte[], byte[]> end = CommittedRecords.assigned(config.kafka().connection(), config.kafka().topics().items(),
          true, new Properties(), config.kafka().connectTimeout())) {
        return end.assignment().stream().collect(Collectors.toMap(TopicPartition::partition, end::position));
      }
    }
  }

  /** The items of size n, drawn as the simulator draws them (seeded by n). */
  private static CatalogItems items(int n) {
    SplittableRandom r = new SplittableRandom(n);
    SimulatorConfig world = SimulatorConfig.defaults();
    float[][] centres = centres(r);
    String[] ids = new String[n];
    float[][] items = new float[n][];
    for (int i = 0; i < n; i++) {
      ids[i] = "item-" + i;
      items[i] = World.around(centres[r.nextInt(centres.length)], world.topicSpread(), r);
    }
    return new CatalogItems(ids, items);
  }

  /** The topic centres of the items of size n, when {@code r} is seeded by n (its first draws). */
  private static float[][] centres(SplittableRandom r) {
    return World.centres(SimulatorConfig.defaults().topics(), D, r);
  }

  /** What the catalog alone measured. */
  private record Alone(int items, String retrieval, double memoryMb, double indexMb, double buildS, boolean indexBuiltEarlier,
      double exactMemoryMb, double recallAt10, double scoreRatio, Latency single, Latency batched, Latency exactSingle) {}

  /** The table, then (with --json) one line {"sizes":[...]}. */
  public static String table(List<Size> sizes) {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "%10s %9s %8s %8s %7s %7s %9s %9s %9s %9s %9s %9s %9s %8s %8s %9s %9s %9s %9s %9s%n", "items", "retrieval", "mem MB", "build s",
        "recall", "scores", "p50 us", "p99 us", "cpu us", "burst p50", "burst p99", "exact p50", "exact p99", "update ms", "load s", "1st ans s",
        "TM mem MB", "ckpt KB", "restore s", "fresh TM s"));
    for (Size s : sizes) {
      out.append(String.format(Locale.ROOT,
          "%10d %9s %8.0f %8.1f %7.3f %7.4f %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %8.0f %8.1f %9.1f %9.0f %9.0f %9.1f %9.1f%n",
          s.items, s.retrieval, s.memoryMb, s.buildS, s.recallAt10, s.scoreRatio, s.single.p50, s.single.p99, s.single.cpuUsPerRequest,
          s.batched.p50, s.batched.p99,
          s.exactSingle.p50, s.exactSingle.p99, s.job.updateVisibleP50Ms, s.job.loadS, s.job.firstAnswerS, s.job.memoryMb, s.job.checkpointKb,
          s.job.restoreS, s.job.restoreFreshS));
    }
    return out.toString();
  }

  public static String json(List<Size> sizes) {
    return ResultJson.write(ResultJson.fields("sizes", sizes.stream().map(Size::json).toList(), "runtime", LuceneVectorization.runtime()));
  }

  private Alone alone(int n, CatalogItems catalogItems, ScorerCatalog scorerCatalog) throws Exception {
    String[] ids = catalogItems.ids();
    SplittableRandom r = new SplittableRandom(-n);
    float[][] centres = centres(new SplittableRandom(n));
    float[][] queries = new float[options.queries()][];
    List<Set<String>> excluded = new ArrayList<>();
    for (int q = 0; q < queries.length; q++) {
      queries[q] = World.around(centres[r.nextInt(centres.length)], SimulatorConfig.defaults().userSpread(), r);
      Set<String> recent = new HashSet<>();
      while (recent.size() < Math.min(EXCLUDED, n / 2)) {
        recent.add(ids[r.nextInt(n)]);
      }
      excluded.add(recent);
    }
    console.printf("%d items: exact baseline...%n", n);
    long heap = usedHeap();
    ItemCatalog exact = new ItemCatalog(D, ItemCatalog.Retrieval.EXACT);
    catalogItems.loadInto(exact, Map.of());
    exact.topK(Nd4j.create(new float[][] {queries[0]}), 10, List.of(), Similarity.COSINE); // builds its matrix
    double exactMb = (usedHeap() - heap) / 1e6;
    Latency exactSingle = openLoop(exact, Arrays.copyOf(queries, Math.min(options.queries(), 200)), excluded, 1);
    Ranking[] truth = new Ranking[RECALL_QUERIES];
    for (int q = 0; q < truth.length; q++) {
      truth[q] = exact.topK(Nd4j.create(new float[][] {queries[q]}), 10, List.of(excluded.get(q)), Similarity.COSINE)[0];
    }
    exact = null;

    console.printf("%d items: the scorer's catalog...%n", n);
    heap = usedHeap();
    long started = System.nanoTime();
    ItemCatalog catalog = scorerCatalog.open(catalogItems);
    catalog.topK(Nd4j.create(new float[][] {queries[0]}), 10, List.of(), Similarity.COSINE);
    double buildS = scorerCatalog.builtEarlierS().orElse((System.nanoTime() - started) / 1e9);
    double indexMb = catalog.indexBytes() / 1e6;
    double memoryMb = (usedHeap() - heap) / 1e6 + indexMb;
    double recall = 0;
    double scores = 0;
    double exactScores = 0;
    for (int q = 0; q < truth.length; q++) {
      Ranking got = catalog.topK(Nd4j.create(new float[][] {queries[q]}), 10, List.of(excluded.get(q)), Similarity.COSINE)[0];
      recall += Arrays.stream(got.ids()).filter(Set.of(truth[q].ids())::contains).count() / (double) truth[q].ids().length;
      for (int j = 0; j < got.scores().length; j++) {
        scores += got.scores()[j];
        exactScores += truth[q].scores()[j];
      }
    }
    if (recall / truth.length < MIN_RECALL) {
      catalog.close();
      throw new IllegalStateException(String.format(Locale.ROOT, "%d items: recall@10 %.3f against the exact search of the same items:"
          + " the index does not hold these items (one kept by an earlier run for other items?), not a result", n,
          recall / truth.length));
    }
    Latency single = openLoop(catalog, queries, excluded, 1);
    Latency batched = openLoop(catalog, queries, excluded, options.batch());
    String kind = catalog.approximate() ? "hnsw" : "exact";
    scorerCatalog.close(catalog, buildS);
    Alone a = new Alone(n, kind, memoryMb, indexMb, buildS, scorerCatalog.builtEarlierS().isPresent(), exactMb, recall / truth.length, scores / exactScores, single, batched,
        exactSingle);
    console.printf("%d items alone: %s%n", n, a);
    return a;
  }

  private static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * Requests scheduled at {@code options.rate()} per second (in bursts of {@code burst} at the
   * same instant), each timed from its scheduled start to its answer.
   */
  private Latency openLoop(ItemCatalog catalog, float[][] queries, List<Set<String>> excluded, int burst) throws InterruptedException {
    Histogram h = new Histogram(3_600_000_000_000L, 3);
    long cpuBefore = THREADS.getCurrentThreadCpuTime();
    long period = 1_000_000_000L / options.rate();
    long start = System.nanoTime() + 10_000_000L;
    for (int first = 0; first < queries.length; first += burst) {
      long scheduled = start + first * period;
      long wait = scheduled - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      int b = Math.min(burst, queries.length - first);
      catalog.topK(Nd4j.create(Arrays.copyOfRange(queries, first, first + b)), 10, excluded.subList(first, first + b),
          Similarity.COSINE);
      long latency = System.nanoTime() - scheduled;
      for (int i = 0; i < b; i++) {
        h.recordValue(latency);
      }
    }
    double cpuUs = (THREADS.getCurrentThreadCpuTime() - cpuBefore) / 1e3 / queries.length;
    return new Latency(h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3, cpuUs);
  }

  /**
   * What the job part measured: from submission to the catalog with its index ({@code loadS}) and
   * to the first answer (the scorer answers from exact search before the index is built), the
   * restarts and checkpoints meanwhile (failed ones counted from the first completed: those
   * triggered while the tasks are still being deployed are declined whatever the job does), the
   * memory the job holds (heap after collections and JavaCPP's native memory, more than before it
   * started, plus the kept index files), update visibility, checkpoints, and the restores from the
   * latest checkpoint where the scorer's index was kept and on a fresh TaskManager (an empty local
   * directory: the index is downloaded from the durable one).
   */
  public record InJob(double loadS, double firstAnswerS, int indexBuildsDuringLoad, int restartsDuringLoad, int failedCheckpointsDuringLoad,
      int checkpointsDuringLoad, double memoryMb, double updateVisibleP50Ms, double updateVisibleMaxMs, double checkpointKb,
      double checkpointMs, double restoreS, double restoreFreshS, double firstAnswerFreshS) {}

  private static Map<String, String> localSettings(EmbeddedKafka kafka, Path dir) {
    Map<String, String> local = new HashMap<>(Demo.localSettings(kafka.bootstrapServers(), dir));
    local.put("job.parallelism", "1");
    local.put("catalog.load-timeout", "30m");
    local.put("catalog.hnsw.index-directory", dir.resolve("catalog-index").toString());
    // as a catalog written well before the job starts: the items source begins after them
    local.put("catalog.clock-skew", "0s");
    return local;
  }

  private InJob inJob(JobConfig config, CatalogItems items, Path dir) throws Exception {
    try (Probe probe = new Probe(config)) {
      long heldBefore = heldBytes();
      long started = System.nanoTime();
      JobClient job = LocalJob.start(config, null);
      Load load = awaitLoad(started, items.size());
      int builds = (int) InJvmMetrics.max("catalogIndexBuilds");
      int restarts = (int) InJvmMetrics.max("numRestarts");
      int failed = (int) InJvmMetrics.max("numberOfFailedCheckpoints");
      int completed = (int) InJvmMetrics.max("numberOfCompletedCheckpoints");
      double memoryMb = (heldBytes() - heldBefore + directoryBytes(Path.of(config.retrieval().indexDirectory()))) / 1e6;
      console.printf("loaded in %.1f s (first answer after %.1f s, %d index builds): %d restarts, %d checkpoints completed, %d failed while the"
              + " tasks started (before the first completed), %d after; the job holds %.0f MB%n", load.seconds, load.firstAnswerS,
          builds, restarts, completed, load.failedBeforeFirstCompleted, failed - load.failedBeforeFirstCompleted, memoryMb);

      double[] visible = new double[UPDATES];
      try (CheckedProducer producer = CheckedProducer.to(config.kafka().connection())) {
        for (int i = 0; i < UPDATES; i++) {
          double applied = InJvmMetrics.sum("catalogUpdates");
          long sent = System.nanoTime();
          ItemsTopic.send(producer, config.kafka().topics().items(), "bench-new-" + i, items.embeddings()[i]);
          producer.flush();
          await(() -> InJvmMetrics.sum("catalogUpdates") > applied, Duration.ofSeconds(60), "catalog update " + i);
          visible[i] = (System.nanoTime() - sent) / 1e6;
        }
      }
      console.printf("upsert to applied, ms: %s%n", Arrays.toString(visible));
      Arrays.sort(visible);
      double before = InJvmMetrics.max("numberOfCompletedCheckpoints");
      await(() -> InJvmMetrics.max("numberOfCompletedCheckpoints") >= before + 2, Duration.ofMinutes(5), "two checkpoints");
      double checkpointKb = InJvmMetrics.max("lastCheckpointFullSize") / 1e3;
      double checkpointMs = InJvmMetrics.max("lastCheckpointDuration");
      job.cancel().get();

      String latest = RetainedCheckpoints.latest(config.checkpoints());
      started = System.nanoTime();
      JobClient restored = LocalJob.start(config, latest);
      awaitCatalog(items.size() + UPDATES, Duration.ofMinutes(60));
      double restoreS = (System.nanoTime() - started) / 1e9;
      restored.cancel().get();

      JobConfig freshTaskManager = config.with(Map.of("catalog.hnsw.index-directory", dir.resolve("fresh-taskmanager").toString()));
      started = System.nanoTime();
      restored = LocalJob.start(freshTaskManager, latest);
      double firstAnswerFreshS = firstAnswer(started);
      awaitCatalog(items.size() + UPDATES, Duration.ofMinutes(60));
      double restoreFreshS = (System.nanoTime() - started) / 1e9;
      restored.cancel().get();
      console.printf("restored in %.1f s where the index was kept, in %.1f s on a fresh TaskManager (first answer after %.1f s)%n",
          restoreS, restoreFreshS, firstAnswerFreshS);
      return new InJob(load.seconds, load.firstAnswerS, builds, restarts, failed - load.failedBeforeFirstCompleted, completed, memoryMb,
          visible[UPDATES / 2], visible[UPDATES - 1],
          checkpointKb, checkpointMs, restoreS, restoreFreshS, firstAnswerFreshS);
    }
  }

  /** Seconds from {@code startedNanos} until the job's scorer has answered a request (a probe asks every 50 ms). */
  private static double firstAnswer(long startedNanos) throws InterruptedException {
    await(() -> InJvmMetrics.sum("recommendations") > 0, Duration.ofMinutes(60), "the first answer");
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  /**
   * A job's first load: seconds until the catalog with its index, until the first answer, and the
   * checkpoints that failed before the first one completed (triggered while tasks were still being
   * deployed: Flink declines those whatever the job does).
   */
  private record Load(double seconds, double firstAnswerS, int failedBeforeFirstCompleted) {}

  private static Load awaitLoad(long startedNanos, int items) throws InterruptedException {
    long deadline = startedNanos + Duration.ofMinutes(60).toNanos();
    double firstAnswerS = -1;
    int failedBefore = -1;
    while (firstAnswerS < 0 || failedBefore < 0 || InJvmMetrics.sum("catalogItems") < items || InJvmMetrics.max("catalogIndexBuilding") != 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after 60 min waiting for the scorer's catalog of " + items + " items and its index");
      }
      if (failedBefore < 0 && InJvmMetrics.max("numberOfCompletedCheckpoints") >= 1) {
        failedBefore = (int) InJvmMetrics.max("numberOfFailedCheckpoints");
      }
      if (firstAnswerS < 0 && InJvmMetrics.sum("recommendations") > 0) {
        firstAnswerS = (System.nanoTime() - startedNanos) / 1e9;
      }
      Thread.sleep(1);
    }
    return new Load((System.nanoTime() - startedNanos) / 1e9, firstAnswerS, failedBefore);
  }

  /** A client asking for 10 items every 50 ms, until closed. */
  private static final class Probe implements AutoCloseable {
    private final CheckedProducer producer;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    Probe(JobConfig config) {
      producer = CheckedProducer.to(config.kafka().connection());
      String topic = config.kafka().topics().recRequests();
      AtomicLong next = new AtomicLong();
      timer.scheduleAtFixedRate(() -> producer.send(topic, ResultJson.write(ResultJson.fields("requestId", "probe-" + next.getAndIncrement(),
          "userId", "probe", "ts", System.currentTimeMillis(), "k", 10)).getBytes(StandardCharsets.UTF_8)), 0, 50, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
      timer.shutdownNow();
      timer.awaitTermination(10, TimeUnit.SECONDS);
      producer.close();
    }
  }

  /** The heap in use after collections, plus native memory JavaCPP allocated (ND4J arrays, the exact search's matrix). */
  private static long heldBytes() throws InterruptedException {
    return usedHeap() + org.bytedeco.javacpp.Pointer.totalBytes();
  }

  /** Bytes of the files under {@code dir} (the kept indexes: memory-mapped while searched); 0 if there is none. */
  private static long directoryBytes(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      long sum = 0;
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        sum += Files.size(p);
      }
      return sum;
    }
  }

  /** Until the scorer has loaded the items and built its index (it answers from exact search in between). */
  private static void awaitCatalog(int items, Duration timeout) throws InterruptedException {
    await(() -> InJvmMetrics.sum("catalogItems") >= items && InJvmMetrics.max("catalogIndexBuilding") == 0, timeout,
        "the scorer's catalog of " + items + " items and its index");
  }

  private static void await(BooleanSupplier done, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(1);
    }
  }
}
