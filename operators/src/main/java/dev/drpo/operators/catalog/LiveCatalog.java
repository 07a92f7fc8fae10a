package dev.drpo.operators.catalog;

import dev.drpo.model.catalog.IndexBuild;
import dev.drpo.model.catalog.ItemCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.apache.flink.api.common.operators.MailboxExecutor;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance's catalog while the job runs: loaded, and its HNSW index built, on a thread of its
 * own, so the instance's task runs (and checkpoints) meanwhile; then kept current by the catalog
 * updates every instance receives (broadcast). Every method is called on the task's thread, and
 * the loader's and builder's results are handed back to it as mails ({@code taskThread}, Flink's
 * mailbox), so the catalog is only ever touched there. Until the load completes there is no
 * catalog ({@link #loaded()} is false) and updates wait in memory (the load reads them anyway);
 * until the index is built the catalog searches exactly; a build that fails leaves it so, logged.
 *
 * <p>An update at an offset the load already covered is skipped, so after a restore (the items
 * source resumes from its checkpointed offsets, older than what the load read) an old upsert
 * cannot overwrite a newer one, nor resurrect a deleted item. Updates of one partition (one item
 * id) arrive in offset order.
 *
 * <p>An HNSW index is expensive to build (minutes at a million items), so when the retrieval has an
 * index directory the index is kept there: committed after it is built and at most every
 * {@link #COMMIT_NANOS} while updates arrive, with the topic offsets it holds. An instance that
 * opens where a compatible index was committed ({@link CatalogLoader#identity()}: the same cluster,
 * topic name and topic id; dimension, graph settings; committed within the topic's
 * {@code delete.retention.ms}) reopens it and reads the topic only from those offsets on, instead
 * of from its beginning; an index that cannot be reopened, or whose offsets lie outside the topic's
 * (a truncated or recreated topic), is built again. The index may hold records past its offsets (the
 * commit data trails the content): reading them again applies them again, in order, to the same
 * result. As with Flink's local recovery, this helps only an instance that opens on a machine where
 * the index was kept.
 */
public final class LiveCatalog implements AutoCloseable {
  static final long COMMIT_NANOS = 10_000_000_000L;
  /** Commit data: when the kept index was committed, epoch ms. */
  static final String COMMITTED_AT = "committed-at-ms";
  private static final Logger LOG = LoggerFactory.getLogger(LiveCatalog.class);

  private final CatalogLoader loader;
  private final ItemCatalog.Retrieval retrieval;
  private final TaskThread taskThread;
  private final ExecutorService background;
  /** What the kept index must match, from the loader (set on the loading thread before the catalog is handed over). */
  private Map<String, String> identity = Map.of();
  private final List<CatalogUpdate> waiting = new ArrayList<>();
  private final List<Runnable> whenLoaded = new ArrayList<>();
  private ItemCatalog catalog;
  private Map<Integer, Long> loadedUpTo;
  private Map<Integer, Long> appliedUpTo;
  private IndexBuild building;
  private boolean indexFailed;
  private long lastCommitNanos;
  private boolean uncommitted;
  private volatile boolean closed;

  /** Runs work on the operator's task thread (its mailbox); work that throws fails the task. */
  @FunctionalInterface
  public interface TaskThread {
    void execute(Runnable work, String description);

    /** The operator's mailbox as the task thread. */
    static TaskThread of(MailboxExecutor mailbox) {
      return (work, description) -> mailbox.execute(work::run, description);
    }
  }

  private LiveCatalog(CatalogLoader loader, ItemCatalog.Retrieval retrieval, TaskThread taskThread, String name) {
    this.loader = loader;
    this.retrieval = retrieval;
    this.taskThread = taskThread;
    background = Executors.newSingleThreadExecutor(work -> {
      Thread t = new Thread(work, "catalog of " + name);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts loading the catalog on a thread of its own (resuming a kept index when there is one);
   * then builds its index there, if it has {@code annAbove} items.
   *
   * @param name the instance, for the thread's name and the logs
   */
  public static LiveCatalog start(CatalogLoader loader, ItemCatalog.Retrieval retrieval, TaskThread taskThread, String name) {
    LiveCatalog live = new LiveCatalog(loader, retrieval, taskThread, name);
    live.background.execute(live::load);
    return live;
  }

  /** What the loader read: a catalog and per partition the offset after the last record read. */
  private record Load(ItemCatalog catalog, Map<Integer, Long> upTo) {}

  /** On the background thread. */
  private void load() {
    Load done;
    try {
      done = read();
    } catch (Throwable e) {
      handBack(() -> {
        throw new IllegalStateException("cannot load the catalog from " + loader.source(), e);
      }, "catalog load failed", null);
      return;
    }
    handBack(() -> loaded(done), "catalog loaded", done.catalog()::close);
  }

  private Load read() throws Exception {
    // only a kept index needs it (asking may mean a round trip to the cluster)
    Map<String, String> asked = retrieval.indexDirectory().isEmpty() ? Map.of() : loader.identity();
    if (!asked.isEmpty()) {
      identity = new HashMap<>(asked);
      identity.put("dimension", String.valueOf(loader.dimension()));
      identity.put("m", String.valueOf(retrieval.m()));
      identity.put("beam-width", String.valueOf(retrieval.beamWidth()));
      Map<String, String> committed = ItemCatalog.committed(retrieval);
      if (!committed.isEmpty() && trusted(committed)) {
        ItemCatalog kept = null;
        try {
          kept = ItemCatalog.reopen(loader.dimension(), retrieval);
          LOG.info("reopened the catalog's index in {}: {} items, reading the topic from {}", retrieval.indexDirectory(),
              kept.size(), committed.get("offsets"));
          return new Load(kept, loader.loadInto(kept, offsets(committed.get("offsets"))));
        } catch (RuntimeException e) {
          LOG.warn("cannot reopen the catalog's index in {}, building it again", retrieval.indexDirectory(), e);
          if (kept != null) {
            kept.close();
          }
        }
      } else if (!committed.isEmpty()) {
        LOG.info("the catalog's index kept in {} recorded {}: not this topic, settings, or too old for {}; building it again",
            retrieval.indexDirectory(), committed, identity);
      }
    }
    ItemCatalog fresh = new ItemCatalog(loader.dimension(), identity.isEmpty() ? retrieval.temporary() : retrieval);
    try {
      return new Load(fresh, loader.loadInto(fresh, Map.of()));
    } catch (Exception | Error e) {
      fresh.close();
      throw e;
    }
  }

  /**
   * True if a kept index's commit data matches this instance's identity and, if the loader limits
   * it ({@link CatalogLoader#TRUST_MS}: a topic's {@code delete.retention.ms}, after which compaction
   * may have removed a tombstone the index never saw), is recent enough.
   */
  private boolean trusted(Map<String, String> committed) {
    boolean same = identity.entrySet().stream().allMatch(e -> e.getValue().equals(committed.get(e.getKey())));
    String trustMs = identity.get(CatalogLoader.TRUST_MS);
    return same && (trustMs == null
        || System.currentTimeMillis() - Long.parseLong(committed.getOrDefault(COMMITTED_AT, "0")) <= Long.parseLong(trustMs));
  }

  /**
   * Runs {@code work} on the task thread unless this catalog was closed; {@code orphaned} releases
   * what the work would have taken over when it cannot run.
   */
  private void handBack(Runnable work, String description, Runnable orphaned) {
    try {
      taskThread.execute(() -> {
        if (closed) {
          if (orphaned != null) {
            orphaned.run();
          }
        } else {
          work.run();
        }
      }, description);
    } catch (RejectedExecutionException | IllegalStateException e) { // the task's mailbox is closing
      if (orphaned != null) {
        orphaned.run();
      }
    }
  }

  /** On the task thread: the load is done. */
  private void loaded(Load done) {
    catalog = done.catalog();
    loadedUpTo = Map.copyOf(done.upTo());
    appliedUpTo = new HashMap<>(loadedUpTo);
    int applied = 0;
    for (CatalogUpdate update : waiting) {
      applied += apply(update) ? 1 : 0;
    }
    LOG.info("catalog loaded: {} items; {} of {} updates received meanwhile applied", catalog.size(), applied, waiting.size());
    waiting.clear();
    commit();
    whenLoaded.forEach(Runnable::run);
    whenLoaded.clear();
    buildIndexIfDue();
  }

  private static Map<Integer, Long> offsets(String text) {
    Map<Integer, Long> offsets = new HashMap<>();
    for (String pair : text == null || text.isEmpty() ? new String[0] : text.split(",")) {
      String[] p = pair.split(":");
      offsets.put(Integer.parseInt(p[0]), Long.parseLong(p[1]));
    }
    return offsets;
  }

  /** Starts building the index on the background thread if the catalog has reached {@code annAbove}. */
  private void buildIndexIfDue() {
    if (!indexFailed && catalog.wantsIndex()) {
      buildIndex(catalog.retrieval());
    }
  }

  /**
   * Builds in {@code where}'s directory; if that fails in a kept directory (e.g. another instance
   * still holds its lock) builds again in a temporary one; if that fails too, searches exactly
   * from then on.
   */
  private void buildIndex(ItemCatalog.Retrieval where) {
    IndexBuild build = catalog.indexBuild(where);
    building = build;
    LOG.info("building the catalog's HNSW index of {} items; exact search meanwhile", build.size());
    background.execute(() -> {
      long started = System.nanoTime();
      try {
        build.run();
      } catch (Throwable e) {
        handBack(() -> {
          building = null;
          catalog.abandon(build);
          if (!where.indexDirectory().isEmpty()) {
            LOG.warn("cannot build the catalog's index in {}, building it in a temporary directory", where.indexDirectory(), e);
            buildIndex(where.temporary());
          } else {
            LOG.error("cannot build the catalog's HNSW index: it searches exactly from now on", e);
            indexFailed = true;
          }
        }, "catalog index failed", null);
        return;
      }
      long ms = (System.nanoTime() - started) / 1_000_000;
      handBack(() -> {
        building = null;
        catalog.adopt(build);
        LOG.info("catalog's HNSW index of {} items built in {} ms, now searched", build.size(), ms);
        commit();
      }, "catalog index built", build::discard);
    });
  }

  /** True once the catalog is loaded (then {@link #catalog()} has it). */
  public boolean loaded() {
    return catalog != null;
  }

  /** Runs {@code work} on the task thread once the catalog is loaded (at once if it is). */
  public void whenLoaded(Runnable work) {
    if (loaded()) {
      work.run();
    } else {
      whenLoaded.add(work);
    }
  }

  /** Runs the operator's mails until the catalog is loaded (at the end of a bounded input). */
  public void awaitLoaded(MailboxExecutor mailbox) throws InterruptedException {
    while (!loaded()) {
      mailbox.yield(); // runs the mail that hands the catalog over
    }
  }

  /** True while an index is being built (the catalog searches exactly meanwhile). */
  public boolean building() {
    return building != null;
  }

  /** Applies the update unless the load covered it (held until the load is done); true if applied or held. */
  public boolean apply(CatalogUpdate update) {
    if (catalog == null) {
      waiting.add(update);
      return true;
    }
    if (update.offset < loadedUpTo.getOrDefault(update.partition, 0L)) {
      return false;
    }
    update.applyTo(catalog);
    appliedUpTo.merge(update.partition, update.offset + 1, Math::max);
    uncommitted = true;
    if (System.nanoTime() - lastCommitNanos > COMMIT_NANOS) {
      commit();
    }
    buildIndexIfDue();
    return true;
  }

  private void commit() {
    if (!identity.isEmpty()) {
      Map<String, String> data = new HashMap<>(identity);
      data.put(COMMITTED_AT, String.valueOf(System.currentTimeMillis()));
      data.put("offsets", appliedUpTo.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(",")));
      catalog.commit(data);
    }
    lastCommitNanos = System.nanoTime();
    uncommitted = false;
  }

  /** The catalog; fails if it is not {@link #loaded()} yet. */
  public ItemCatalog catalog() {
    if (catalog == null) {
      throw new IllegalStateException("the catalog is still loading");
    }
    return catalog;
  }

  /**
   * Stops loading or building (what they produce is released when they stop), commits what is not
   * yet, then releases the index (a kept one stays on disk), even if the commit fails.
   */
  @Override
  public void close() {
    closed = true;
    background.shutdownNow();
    if (catalog == null) {
      return;
    }
    try {
      if (uncommitted) {
        commit();
      }
    } finally {
      catalog.close();
    }
  }
}
