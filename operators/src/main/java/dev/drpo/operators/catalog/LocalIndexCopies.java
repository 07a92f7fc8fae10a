package dev.drpo.operators.catalog;

import dev.drpo.model.catalog.ItemCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.store.NIOFSDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local copies of a job's kept index on one machine's disk: one directory per catalog that
 * was opened there ({@code <index-directory>/<job.name>/subtask-<i>}). Which directory a catalog
 * opens depends on which of its instances opened first, so after restarts and rescales a machine
 * gathers copies nobody opens any more, each as large as the index (0.6 GB at a million items).
 * When a catalog opens, it claims the others that no process holds (Lucene's {@code write.lock}, an
 * operating-system lock, is free): a trusted one is moved into its own directory if that holds no
 * trusted index (reopened instead of downloaded or built), and every other is removed.
 */
final class LocalIndexCopies {
  private static final Logger LOG = LoggerFactory.getLogger(LocalIndexCopies.class);

  private LocalIndexCopies() {}

  /**
   * Claims the copies beside {@code own} that no process holds (nothing if another holds
   * {@code own}: it is not this catalog's to change).
   *
   * @param trusted whether a copy's last commit data may be reopened by this catalog
   */
  static void claim(Path own, Predicate<Map<String, String>> trusted) {
    Path parent = own.toAbsolutePath().getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      return;
    }
    try {
      Files.createDirectories(own);
    } catch (IOException e) {
      return; // the catalog reports what is wrong with its directory when it opens it
    }
    try (Directory dir = new NIOFSDirectory(own); Lock ownLock = dir.obtainLock(IndexWriter.WRITE_LOCK_NAME)) {
      claimOthers(own.toAbsolutePath(), parent, trusted);
    } catch (LockObtainFailedException e) {
      LOG.warn("another process holds the catalog's index directory {}", own);
    } catch (IOException e) {
      LOG.warn("cannot lock the catalog's index directory {}", own, e);
    }
  }

  /** With {@code own} locked. */
  private static void claimOthers(Path own, Path parent, Predicate<Map<String, String>> trusted) {
    List<Path> others;
    try (Stream<Path> all = Files.list(parent)) {
      others = all.filter(p -> Files.isDirectory(p) && !p.equals(own)).sorted().toList();
    } catch (IOException e) {
      LOG.warn("cannot list the catalog's index copies in {}", parent, e);
      return;
    }
    boolean ownTrusted = trusted.test(ItemCatalog.committed(own));
    for (Path other : others) {
      try (Directory dir = new NIOFSDirectory(other); Lock lock = dir.obtainLock(IndexWriter.WRITE_LOCK_NAME)) {
        lock.ensureValid();
        if (!ownTrusted && trusted.test(ItemCatalog.committed(other))) {
          removeAllBut(own, IndexWriter.WRITE_LOCK_NAME);
          try (Stream<Path> files = Files.list(other)) {
            for (Path file : files.filter(f -> !f.getFileName().toString().equals(IndexWriter.WRITE_LOCK_NAME)).toList()) {
              Files.move(file, own.resolve(file.getFileName()));
            }
          }
          removeAllBut(other, "");
          ownTrusted = true;
          LOG.info("moved the catalog's index copy {} nobody holds to {}, to reopen it", other, own);
        } else {
          removeAllBut(other, "");
          LOG.info("removed the catalog's index copy {}: nobody holds it", other);
        }
      } catch (LockObtainFailedException e) {
        // another catalog (here or in another process) holds it
      } catch (IOException | UncheckedIOException e) {
        LOG.warn("cannot claim the catalog's index copy {}", other, e);
      }
    }
  }

  /** Removes {@code dir}'s files but the one named {@code kept} (empty: removes the directory too). */
  private static void removeAllBut(Path dir, String kept) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.getFileName().toString().equals(kept) && !(p.equals(dir) && !kept.isEmpty())) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
