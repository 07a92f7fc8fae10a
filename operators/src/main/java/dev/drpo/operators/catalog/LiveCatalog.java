package dev.drpo.operators.catalog;

import dev.drpo.model.catalog.ItemCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;

/**
 * One instance's view of its TaskManager's catalog while the job runs ({@link SharedCatalog}: loaded
 * once, its index built once, for every instance there that reads the same source): the instance
 * learns that the catalog is loaded, or that loading failed, on its own task thread (a mail in
 * Flink's mailbox), hands it the catalog updates it receives, and releases it on close. Until the
 * load completes there is no catalog ({@link #loaded()} is false). Every method is called on the
 * instance's task thread.
 */
public final class LiveCatalog implements AutoCloseable {
  private final String source;
  private final TaskThread taskThread;
  private final List<Runnable> whenLoaded = new ArrayList<>();
  /** Mails handed to the task thread that have not run, with what runs instead if this closes first. */
  private final Map<Object, Runnable> unrun = new HashMap<>();
  private SharedCatalog shared;
  private ItemCatalog catalog;
  private boolean closed;

  /** Runs work on the operator's task thread (its mailbox); work that throws fails the task. */
  @FunctionalInterface
  public interface TaskThread {
    void execute(Runnable work, String description);

    /** The operator's mailbox as the task thread. */
    static TaskThread of(MailboxExecutor mailbox) {
      return (work, description) -> mailbox.execute(work::run, description);
    }
  }

  private LiveCatalog(String source, TaskThread taskThread) {
    this.source = source;
    this.taskThread = taskThread;
  }

  /**
   * The catalog of this TaskManager for the job, loader and retrieval: shared if another instance
   * of the job has it open, else loaded on a thread of its own (resuming a kept index when there is
   * one), then its index built there if it has {@code annAbove} items.
   *
   * @param job the job's id: instances of other jobs in a session cluster (where these classes are
   *     loaded parent-first, once per TaskManager) never share it, nor its failures
   * @param directory where under the retrieval's index directory a catalog opened here keeps its
   *     index (one per TaskManager on a machine, e.g. by subtask)
   * @param name the instance, for the threads' names and the logs
   * @param uploads whether this instance copies the kept index to the retrieval's durable directory
   *     (one instance of a job should)
   */
  public static LiveCatalog start(String job, CatalogLoader loader, ItemCatalog.Retrieval retrieval, String directory,
      TaskThread taskThread, String name, boolean uploads) {
    LiveCatalog live = new LiveCatalog(loader.source() == null ? "a fixed list" : loader.source(), taskThread);
    live.shared = SharedCatalog.acquire(job, loader, retrieval, directory, name, uploads, live);
    return live;
  }

  /** From the shared catalog, on any thread: it is loaded. */
  void catalogLoaded() {
    handBack(() -> {
      catalog = shared.catalog();
      whenLoaded.forEach(Runnable::run);
      whenLoaded.clear();
    }, "catalog loaded");
  }

  /** From the shared catalog, on any thread: it cannot be loaded (fails the task). */
  void catalogFailed(Throwable e) {
    handBack(() -> {
      throw new IllegalStateException("cannot load the catalog from " + source, e);
    }, "catalog load failed");
  }

  /** Runs {@code work} on the task thread unless this instance was closed. */
  private void handBack(Runnable work, String description) {
    run(work, description, () -> {});
  }

  /**
   * Runs {@code work} on the task thread, or {@code ifClosed} if this instance closes first: at
   * once if it is closed or its mailbox refuses, else on {@link #close()} if the mail has not run by
   * then (a closing task's mailbox drops what it holds). Exactly one of them runs, at most once.
   */
  void run(Runnable work, String description, Runnable ifClosed) {
    Object mail = new Object();
    synchronized (this) {
      if (closed) {
        mail = null;
      } else {
        unrun.put(mail, ifClosed);
      }
    }
    if (mail != null) {
      Object handed = mail;
      try { // outside this object's lock: a task thread may run the work at once
        taskThread.execute(() -> {
          if (taken(handed)) {
            work.run();
          }
        }, description);
        return;
      } catch (RejectedExecutionException | TaskMailbox.MailboxClosedException e) { // the task's mailbox is closing
        if (!taken(handed)) {
          return; // close() took it over
        }
      }
    }
    ifClosed.run();
  }

  /** True if the mail is still to run (close() has not taken it over). */
  private synchronized boolean taken(Object mail) {
    return unrun.remove(mail) != null;
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
    return shared.building();
  }

  /** How many catalog updates wait for the shared catalog's load (each once, whichever instances received it). */
  public int heldUpdates() {
    return shared.held();
  }

  /** The HNSW index builds the shared catalog started. */
  public int indexBuilds() {
    return shared.builds();
  }

  /**
   * Applies the update unless the load covered it or another instance sharing the catalog applied
   * it first (held until the load is done); false if the load covered it (true: the catalog has it).
   */
  public boolean apply(CatalogUpdate update) {
    return shared.apply(update);
  }

  /** The catalog; fails if it is not {@link #loaded()} yet. */
  public ItemCatalog catalog() {
    if (catalog == null) {
      throw new IllegalStateException("the catalog is still loading");
    }
    return catalog;
  }

  /** Stops using the catalog: the last instance to close it commits and releases it. */
  @Override
  public void close() {
    List<Runnable> instead;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      instead = List.copyOf(unrun.values());
      unrun.clear();
    }
    // released first: the work this instance will not run then goes to another open instance, or,
    // when this was the last one, finds the catalog closed (a built index is discarded instead of
    // taken back by a catalog that would start building again as it closes)
    RuntimeException failed = null;
    try {
      shared.release(this);
    } catch (RuntimeException e) {
      failed = e;
    }
    for (Runnable work : instead) { // e.g. a built index goes to another instance, or is discarded
      try {
        work.run();
      } catch (RuntimeException e) {
        if (failed == null) {
          failed = e;
        } else {
          failed.addSuppressed(e);
        }
      }
    }
    if (failed != null) {
      throw failed;
    }
  }
}
