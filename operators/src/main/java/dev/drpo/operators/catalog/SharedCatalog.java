package dev.drpo.operators.catalog;

import dev.drpo.model.catalog.CommittedIndex;
import dev.drpo.model.catalog.IndexBuild;
import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.model.catalog.KeptIndex;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog of one job on one TaskManager (one JVM): loaded once, its index built once, and
 * shared by every instance of the job there that reads the same source with the same settings (its
 * scorers and state encoders; another job's instances have their own), reference-counted by their
 * {@link LiveCatalog}s: the last to close it commits and releases it. At a million items that is one copy of the embeddings and one index per TaskManager
 * instead of one per instance. A catalog not read from a topic ({@link CatalogLoader#source()} null)
 * is not shared.
 *
 * <p>Loads and builds run on a thread of its own, so the instances' tasks run (and checkpoint)
 * meanwhile; the instances learn of the load through their own task threads ({@link LiveCatalog}),
 * and a built index is taken over on one of them.
 * Every instance receives the catalog updates (broadcast) and hands them here: the first to hand one
 * over applies it, the others find it applied (updates of one partition arrive in offset order, so an
 * update below the offset already applied is one some instance applied, or that the load read).
 * After a restore the items source resumes from its checkpointed offsets, older than what the load
 * read, so an old upsert cannot overwrite a newer one, nor resurrect a deleted item. Until the load
 * completes updates wait in memory (the load reads them anyway); until the index is built the catalog
 * searches exactly; a build that fails leaves it so, logged. The catalog itself is safe for its
 * readers (the instances' task threads) while this changes it ({@link ItemCatalog}'s lock); every
 * change goes through this object's monitor.
 *
 * <p>An HNSW index is expensive to build (minutes at a million items), so when the retrieval has an
 * index directory the index is kept there: committed after it is built and at most every
 * {@link #COMMIT_NANOS} while updates arrive, with the topic offsets it holds. A catalog that opens
 * where a compatible index was committed ({@link CatalogLoader#identity()}: the same cluster, topic
 * name and topic id; dimension, graph settings; committed within the topic's
 * {@code delete.retention.ms}) reopens it and reads the topic only from those offsets on, instead of
 * from its beginning; an index that cannot be reopened, or whose offsets lie outside the topic's (a
 * truncated or recreated topic), is built again. The index may hold records past its offsets (the
 * commit data trails the content): reading them again applies them again, in order, to the same
 * result. Copies of the index on this machine that no catalog holds are reused or removed
 * ({@link LocalIndexCopies}). Commits run on a thread of their own. When the retrieval names a durable directory and an
 * instance that uploads (scorer 0) shares the catalog, each commit is also copied there
 * ({@link IndexStore}: new files only), and a catalog without a usable local copy (a fresh machine)
 * downloads the latest trusted copy and reads on from its offsets, instead of building; a copy that
 * cannot be had is built.
 */
final class SharedCatalog {
  static final long COMMIT_NANOS = 10_000_000_000L;
  /**
   * A built index catches up with the catalog's changes on the building thread until one round
   * applies at most this many (or {@link #CATCH_UP_ROUNDS} rounds ran): adopting it then blocks the
   * catalog's readers for about that many graph insertions.
   */
  static final int REPLAYED_ON_ADOPT = 64;
  static final int CATCH_UP_ROUNDS = 8;
  private static final Logger LOG = LoggerFactory.getLogger(SharedCatalog.class);
  /** The catalogs open in this JVM (with the classes parent-first, every job's), by job, what they read and how. */
  private static final Map<Key, SharedCatalog> OPEN = new HashMap<>();

  /** What instances must have in common to share a catalog. */
  private record Key(String job, String source, int dimension, ItemCatalog.Retrieval retrieval) {}

  private final Key key;
  private final CatalogLoader loader;
  /** The retrieval with the index directory of the instance that opened it. */
  private final ItemCatalog.Retrieval retrieval;
  /** Loads and builds; interrupted on close. */
  private final ExecutorService background;
  /** Commits and copies the kept index, in order; not interrupted on close (a commit cut short fails the writer). */
  private final ExecutorService committer;
  private final List<LiveCatalog> instances = new ArrayList<>();
  /** What the kept index must match, from the loader (set on the loading thread before the catalog is handed over). */
  private Map<String, String> identity = Map.of();
  /** The items topic's end offsets when the load began (asked with the identity): an index that holds them missed nothing. */
  private Map<Integer, Long> topicEnds = Map.of();
  /** Where the kept index is copied for other machines (set with the identity); null: nowhere. */
  private IndexStore store;
  /** True once an instance that copies commits to the store shares it. */
  private boolean uploads;
  private final List<CatalogUpdate> waiting = new ArrayList<>();
  /** Where the waiting updates are in the topic: each instance receives every update, and it waits once. */
  private final Set<Position> waitingAt = new HashSet<>();
  private ItemCatalog catalog;
  private Throwable failure;
  /** Per partition: the offset after the last record the load read, and after the last update applied. */
  private Map<Integer, Long> loadedUpTo;
  private Map<Integer, Long> appliedUpTo;
  /** Read by metrics, on other threads. */
  private volatile IndexBuild building;
  /** Read by metrics, on other threads. */
  private volatile int builds;
  private boolean indexFailed;
  private long lastCommitNanos;
  private boolean closed;

  private SharedCatalog(Key key, CatalogLoader loader, ItemCatalog.Retrieval retrieval, String name) {
    this.key = key;
    this.loader = loader;
    this.retrieval = retrieval;
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
   * The catalog this JVM has open for the loader and retrieval, with {@code instance} as one more
   * user; else a new one, starting to load on its own thread, kept in {@code retrieval}'s
   * {@code directory} under its index directory.
   *
   * @param uploads whether the instance copies the kept index to the retrieval's durable directory
   * @return the catalog; the instance is told when it is loaded (at once if it is)
   */
  static SharedCatalog acquire(String job, CatalogLoader loader, ItemCatalog.Retrieval retrieval, String directory, String name,
      boolean uploads, LiveCatalog instance) {
    synchronized (OPEN) {
      Key key = loader.source() == null ? null : new Key(job, loader.source(), loader.dimension(), retrieval);
      SharedCatalog shared = key == null ? null : OPEN.get(key);
      boolean opened = shared == null;
      if (opened) {
        shared = new SharedCatalog(key, loader, retrieval.forInstance(directory), name);
        if (key != null) {
          OPEN.put(key, shared);
        }
      }
      shared.join(instance, uploads);
      if (opened) { // after the join: what the load and a build hand over has an instance to go to
        shared.background.execute(shared::load);
      }
      return shared;
    }
  }

  private synchronized void join(LiveCatalog instance, boolean uploads) {
    instances.add(instance);
    if (uploads && !this.uploads) {
      this.uploads = true;
      if (catalog != null) {
        commit(); // copied from now on: the first copy need not wait for an update
      }
    }
    if (catalog != null) {
      instance.catalogLoaded();
    } else if (failure != null) {
      instance.catalogFailed(failure);
    }
  }

  /** What the loader read: a catalog and per partition the offset after the last record read. */
  private record Load(ItemCatalog catalog, Map<Integer, Long> upTo) {}

  /** On the background thread. */
  private void load() {
    Load done;
    try {
      done = read();
    } catch (Throwable e) {
      failed(e);
      return;
    }
    Throwable thrown;
    synchronized (this) {
      if (closed) {
        done.catalog().close();
        return;
      }
      try {
        loaded(done);
        return;
      } catch (RuntimeException | Error e) { // e.g. an update held during the load that cannot be applied
        catalog = null;
        done.catalog().close();
        thrown = e;
      }
    }
    failed(thrown);
  }

  /** The catalog cannot be loaded: every instance hears it (their tasks fail), and the next to open loads again. */
  private void failed(Throwable e) {
    synchronized (this) {
      failure = e;
      instances.forEach(instance -> instance.catalogFailed(e));
    }
    forget();
  }

  /** Lets the next instance that opens load the catalog again (this one failed to). */
  private void forget() {
    synchronized (OPEN) {
      OPEN.remove(key, this);
    }
  }

  private Load read() throws Exception {
    // only a kept index needs it (asking may mean a round trip to the cluster)
    Map<String, String> id = retrieval.indexDirectory().isEmpty() ? Map.of() : IndexCommitData.identity(loader, retrieval);
    if (!id.isEmpty()) {
      Map<Integer, Long> ends;
      try {
        ends = loader.endOffsets();
      } catch (Exception e) { // only lets a quiet catalog's old index be trusted: without it, the trust window decides
        LOG.warn("cannot read the end offsets of {}: a kept index older than its trust window is built again", loader.source(), e);
        ends = Map.of();
      }
      synchronized (this) {
        identity = id;
        topicEnds = ends;
        store = retrieval.durableDirectory().isEmpty() ? null : IndexStore.of(retrieval.durableDirectory(), identity);
      }
      LocalIndexCopies.claim(Path.of(retrieval.indexDirectory()), this::trusted);
      Map<String, String> committed = ItemCatalog.committed(retrieval);
      boolean trusted = trusted(committed);
      if (!committed.isEmpty() && !trusted) {
        LOG.info("the catalog's index kept in {} recorded {}: not this topic, settings, or too old for {}",
            retrieval.indexDirectory(), committed, identity);
      }
      Load kept = trusted ? reopen() : null;
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

  /**
   * The catalog from the index committed in the kept directory, read on from the offsets its commit
   * recorded (as the reopened writer read them: the directory may have changed since it was looked
   * at); null if it cannot be reopened or that commit is not trusted.
   */
  private Load reopen() throws Exception {
    ItemCatalog kept = null;
    try {
      kept = ItemCatalog.reopen(loader.dimension(), retrieval);
      Map<String, String> committed = kept.reopenedFrom();
      if (!trusted(committed)) {
        LOG.info("the catalog's index in {} changed before it was reopened, to one that recorded {}: building it again",
            retrieval.indexDirectory(), committed);
        kept.close();
        return null;
      }
      LOG.info("reopened the catalog's index in {}: {} items, reading the topic from {}", retrieval.indexDirectory(),
          kept.size(), IndexCommitData.offsets(committed));
      return new Load(kept, loader.loadInto(kept, IndexCommitData.offsets(committed)));
    } catch (RuntimeException e) {
      LOG.warn("cannot reopen the catalog's index in {}, building it again", retrieval.indexDirectory(), e);
      if (kept != null) {
        kept.close();
      }
      return null;
    } catch (Exception | Error e) { // the load was interrupted or failed: the directory is let go
      if (kept != null) {
        kept.close();
      }
      throw e;
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
    return reopen();
  }

  /**
   * True if a kept index's commit data matches this catalog's identity and is recent enough, or
   * holds the topic to its end ({@link IndexCommitData#trusted}).
   */
  private boolean trusted(Map<String, String> committed) {
    return IndexCommitData.trusted(identity, committed, topicEnds);
  }

  /** The load is done: the updates received meanwhile are applied, the instances told. */
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
    waitingAt.clear();
    commit();
    buildIndexIfDue(); // first: a metric that sees the catalog sees its build too
    instances.forEach(LiveCatalog::catalogLoaded);
  }

  /** Starts building the index on the background thread if the catalog has reached {@code annAbove}. */
  private void buildIndexIfDue() {
    if (!indexFailed && catalog.wantsIndex()) {
      buildIndex(catalog.retrieval());
    }
  }

  /**
   * Builds in {@code where}'s directory; if that fails in a kept directory (e.g. another catalog
   * still holds its lock) builds again in a temporary one; if that fails too, searches exactly
   * from then on.
   */
  private void buildIndex(ItemCatalog.Retrieval where) {
    IndexBuild build = catalog.indexBuild(where);
    building = build;
    builds++; // under this object's monitor
    LOG.info("building the catalog's HNSW index of {} items; exact search meanwhile", build.size());
    ItemCatalog target = catalog;
    background.execute(() -> {
      synchronized (this) {
        if (closed || catalog != target) { // released, or its load failed after the build was due: nobody wants it
          building = null;
          return;
        }
      }
      long started = System.nanoTime();
      Throwable failed = null;
      try {
        build.run();
        // what changed meanwhile, applied here while the catalog serves: adopting replays only the rest, under its lock
        int round = 0;
        while (round++ < CATCH_UP_ROUNDS && target.catchUp(build) > REPLAYED_ON_ADOPT) {
          LOG.debug("caught the catalog's index up with the changes of round {} of its build", round);
        }
      } catch (Throwable e) {
        failed = e;
      }
      Throwable error = failed;
      long ms = (System.nanoTime() - started) / 1_000_000;
      handToAnInstance(() -> built(build, where, error, ms), error == null ? "catalog index built" : "catalog index failed",
          () -> orphaned(build), ConcurrentHashMap.newKeySet());
    });
  }

  /**
   * Runs {@code work} on the task thread of an instance that uses the catalog and has not been
   * {@code tried} (another if that one closes first); {@code orphaned} when there is none.
   */
  private void handToAnInstance(Runnable work, String description, Runnable orphaned, Set<LiveCatalog> tried) {
    LiveCatalog instance;
    synchronized (this) {
      instance = closed ? null : instances.stream().filter(i -> !tried.contains(i)).findFirst().orElse(null);
    }
    if (instance == null) {
      orphaned.run();
    } else {
      tried.add(instance);
      instance.run(work, description, () -> handToAnInstance(work, description, orphaned, tried));
    }
  }

  /**
   * No instance took the build over (each closed first): released; if the catalog is still open (an
   * instance joined meanwhile) it goes on searching exactly and builds again.
   */
  private synchronized void orphaned(IndexBuild build) {
    building = null;
    if (closed || catalog == null) {
      build.discard();
    } else {
      catalog.abandon(build);
      buildIndexIfDue();
    }
  }

  /** On an instance's task thread: the build is done, or failed with {@code error}. */
  private synchronized void built(IndexBuild build, ItemCatalog.Retrieval where, Throwable error, long ms) {
    building = null;
    if (closed || catalog == null) {
      build.discard();
    } else if (error == null) {
      int replayed = catalog.adopt(build);
      LOG.info("catalog's HNSW index of {} items built in {} ms, now searched ({} changes replayed on taking it over)",
          build.size(), ms, replayed);
      commit();
    } else {
      catalog.abandon(build);
      if (!where.indexDirectory().isEmpty()) {
        LOG.warn("cannot build the catalog's index in {}, building it in a temporary directory", where.indexDirectory(), error);
        buildIndex(where.temporary());
      } else {
        LOG.error("cannot build the catalog's HNSW index: it searches exactly from now on", error);
        indexFailed = true;
      }
    }
  }

  /** True while an index is being built (the catalog searches exactly meanwhile). */
  boolean building() {
    return building != null;
  }

  /** How many updates wait for the load to finish (each once, however many instances received it). */
  synchronized int held() {
    return waiting.size();
  }

  /** An update's place in the items topic. */
  private record Position(int partition, long offset) {}

  /** The index builds this catalog started (none if it reopened or downloaded a kept index and stayed above {@code annAbove}). */
  int builds() {
    return builds;
  }

  /**
   * Applies the update unless the load covered it, or another instance applied it first (or a later
   * one of its partition); held until the load is done. False if the load covered it.
   */
  synchronized boolean apply(CatalogUpdate update) {
    if (catalog == null) {
      if (waitingAt.add(new Position(update.partition, update.offset))) {
        waiting.add(update);
      }
      return true;
    }
    if (update.offset < loadedUpTo.getOrDefault(update.partition, 0L)) {
      return false;
    }
    if (update.offset >= appliedUpTo.getOrDefault(update.partition, 0L)) {
      update.applyTo(catalog);
      appliedUpTo.merge(update.partition, update.offset + 1, Math::max);
      if (System.nanoTime() - lastCommitNanos > COMMIT_NANOS) {
        commit();
      }
      buildIndexIfDue();
    }
    return true;
  }

  /**
   * Commits the kept index with the offsets applied so far, on the committer thread (a commit writes
   * and syncs files; the content may run ahead of the offsets, which is safe); copied to the durable
   * directory if an uploading instance shares the catalog.
   */
  private void commit() {
    KeptIndex kept = identity.isEmpty() ? null : catalog.keptIndex();
    if (kept != null) {
      Map<String, String> data = commitData();
      boolean copy = uploads && store != null;
      committer.execute(() -> {
        synchronized (this) {
          if (closed) {
            return; // close() commits what is there; the writer may be closed by now
          }
        }
        try (CommittedIndex commit = kept.commit(data)) {
          if (copy) {
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
    return IndexCommitData.of(identity, appliedUpTo);
  }

  /** The catalog once loaded, else null. */
  synchronized ItemCatalog catalog() {
    return catalog;
  }

  /**
   * The instance no longer uses the catalog. When none does: stops loading or building (what they
   * produce is released when they stop), commits the kept index (a failed commit is logged: the next
   * catalog reads the topic on from the last one), then releases the index (a kept one stays on
   * disk). Copies still being uploaded go on. Instances that open meanwhile wait for this (they may
   * reopen what it commits).
   */
  void release(LiveCatalog instance) {
    synchronized (OPEN) {
      synchronized (this) {
        instances.remove(instance);
        if (!instances.isEmpty() || closed) {
          return;
        }
        closed = true;
        OPEN.remove(key, this);
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
  }
}
