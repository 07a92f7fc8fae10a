package dev.drpo.operators.catalog;

import dev.drpo.model.catalog.CommittedIndex;
import dev.drpo.model.catalog.IndexBuild;
import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.model.catalog.KeptIndex;
import java.io.IOException;
import java.nio.file.Path;
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
 * result. Commits run on a thread of their own. When the retrieval names a durable directory, the
 * uploading instance (scorer 0) also copies each commit there ({@link IndexStore}: new files only),
 * and an instance without a usable local copy (a fresh machine) downloads the latest trusted copy
 * and reads on from its offsets, instead of building; a copy that cannot be had is built.
 */
public final class LiveCatalog implements AutoCloseable {
  static final long COMMIT_NANOS = 10_000_000_000L;
  /** Commit data: when the kept index was committed, epoch ms. */
  static final String COMMITTED_AT = "committed-at-ms";
  private static final Logger LOG = LoggerFactory.getLogger(LiveCatalog.class);

  private final CatalogLoader loader;
  private final ItemCatalog.Retrieval retrieval;
  private final TaskThread taskThread;
  /** Loads and builds; interrupted on close. */
  private final ExecutorService background;
  /** Commits and copies the kept index, in order; not interrupted on close (a commit cut short fails the writer). */
  private final ExecutorService committer;
  /** What the kept index must match, from the loader (set on the loading thread before the catalog is handed over). */
  private Map<String, String> identity = Map.of();
  /** Where the kept index is copied for other machines (set with the identity); null: nowhere. */
  private IndexStore store;
  /** True if this instance copies its commits to the store (one instance does). */
  private final boolean uploads;
  private final List<CatalogUpdate> waiting = new ArrayList<>();
  private final List<Runnable> whenLoaded = new ArrayList<>();
  private ItemCatalog catalog;
  private Map<Integer, Long> loadedUpTo;
  private Map<Integer, Long> appliedUpTo;
  /** Read by metrics, on another thread. */
  private volatile IndexBuild building;
  private boolean indexFailed;
  private long lastCommitNanos;
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

  private LiveCatalog(CatalogLoader loader, ItemCatalog.Retrieval retrieval, TaskThread taskThread, String name,
      boolean uploads) {
    this.loader = loader;
    this.uploads = uploads;
    this.retrieval = retrieval;
    this.taskThread = taskThread;
    background = daemonThread("catalog of " + name);
    committer = daemonThread("catalog commits of " + name);
  }

  private static ExecutorService daemonThread(String name) {
    return Executors.newSingleThreadExecutor(work -> {
      Thread t = new Thread(work, name);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts loading the catalog on a thread of its own (resuming a kept index when there is one);
   * then builds its index there, if it has {@code annAbove} items.
   *
   * @param name the instance, for the thread's name and the logs
   * @param uploads whether this instance copies its kept index to the retrieval's durable directory
   *     (one instance of a job should)
   */
  public static LiveCatalog start(CatalogLoader loader, ItemCatalog.Retrieval retrieval, TaskThread taskThread, String name,
      boolean uploads) {
    LiveCatalog live = new LiveCatalog(loader, retrieval, taskThread, name, uploads);
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
      store = retrieval.durableDirectory().isEmpty() ? null : IndexStore.of(retrieval.durableDirectory(), identity);
      Map<String, String> committed = ItemCatalog.committed(retrieval);
      if (!committed.isEmpty() && !trusted(committed)) {
        LOG.info("the catalog's index kept in {} recorded {}: not this topic, settings, or too old for {}",
            retrieval.indexDirectory(), committed, identity);
      }
      Load kept = trusted(committed) ? reopen(committed) : null;
      if (kept == null && store != null) {
        kept = download();
      }
      if (kept != null) {
        return kept;
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

  /** The catalog from the index committed in the kept directory, read on from its offsets; null if it cannot be reopened. */
  private Load reopen(Map<String, String> committed) throws Exception {
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
      return null;
    }
  }

  /** The catalog from the durable copy of the index, if there is a trusted one; null if there is none or it cannot be had. */
  private Load download() throws Exception {
    try {
      IndexStore.Manifest latest = store.latest().orElse(null);
      if (latest == null || !trusted(latest.data())) {
        LOG.info("no usable copy of the catalog's index in {}{}: building it", store.location(),
            latest == null ? "" : " (it recorded " + latest.data() + ")");
        return null;
      }
      long started = System.nanoTime();
      store.download(latest, Path.of(retrieval.indexDirectory()));
      LOG.info("downloaded the catalog's index from {} into {} in {} ms", store.location(), retrieval.indexDirectory(),
          (System.nanoTime() - started) / 1_000_000);
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot download the catalog's index from {}: building it", store.location(), e);
      return null;
    }
    return reopen(ItemCatalog.committed(retrieval));
  }

  /**
   * True if a kept index's commit data matches this instance's identity and, if the loader limits
   * it ({@link CatalogLoader#TRUST_MS}: a topic's {@code delete.retention.ms}, after which compaction
   * may have removed a tombstone the index never saw), is recent enough.
   */
  private boolean trusted(Map<String, String> committed) {
    if (committed.isEmpty()) {
      return false;
    }
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
    buildIndexIfDue(); // first: a metric that sees the catalog sees its build too
    whenLoaded.forEach(Runnable::run);
    whenLoaded.clear();
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
    if (System.nanoTime() - lastCommitNanos > COMMIT_NANOS) {
      commit();
    }
    buildIndexIfDue();
    return true;
  }

  /**
   * Commits the kept index with the offsets applied so far, on the committer thread (a commit writes
   * and syncs files; the content may run ahead of the offsets, which is safe); the uploading
   * instance then copies it to the durable directory.
   */
  private void commit() {
    KeptIndex kept = identity.isEmpty() ? null : catalog.keptIndex();
    if (kept != null) {
      Map<String, String> data = commitData();
      committer.execute(() -> {
        if (closed) {
          return; // close() commits what is there; the writer may be closed by now
        }
        try (CommittedIndex commit = kept.commit(data)) {
          if (uploads && store != null) {
            long bytes = store.upload(commit);
            LOG.debug("copied {} bytes of the catalog's index to {}", bytes, store.location());
          }
        } catch (IOException | RuntimeException e) {
          LOG.warn("cannot commit the catalog's index in {} or copy it to {}", retrieval.indexDirectory(),
              store == null ? "(none)" : store.location(), e);
        }
      });
    }
    lastCommitNanos = System.nanoTime();
  }

  private Map<String, String> commitData() {
    Map<String, String> data = new HashMap<>(identity);
    data.put(COMMITTED_AT, String.valueOf(System.currentTimeMillis()));
    data.put("offsets", appliedUpTo.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(",")));
    return data;
  }

  /** The catalog; fails if it is not {@link #loaded()} yet. */
  public ItemCatalog catalog() {
    if (catalog == null) {
      throw new IllegalStateException("the catalog is still loading");
    }
    return catalog;
  }

  /**
   * Stops loading or building (what they produce is released when they stop), commits the kept
   * index (a failed commit is logged: the next instance reads the topic on from the last one), then
   * releases the index (a kept one stays on disk). Copies still being uploaded go on.
   */
  @Override
  public void close() {
    closed = true;
    background.shutdownNow();
    committer.shutdown();
    if (catalog == null) {
      return;
    }
    try {
      KeptIndex kept = identity.isEmpty() ? null : catalog.keptIndex();
      if (kept != null) { // also if a background commit is still queued: it has not run yet
        kept.commit(commitData()).close();
      }
    } catch (RuntimeException e) {
      LOG.warn("cannot commit the catalog's index in {}: the next instance reads on from its last commit",
          retrieval.indexDirectory(), e);
    } finally {
      catalog.close();
    }
  }
}
