package dev.drpo.model.catalog;

import java.util.Map;

/** A catalog's HNSW index in a directory that outlives it: what a later instance reopens or another machine copies. */
public interface KeptIndex {
  /**
   * Writes every change so far durably, with {@code data} (what a later instance needs to trust the
   * index), on any thread.
   *
   * @return the commit, its files kept until it is closed
   */
  CommittedIndex commit(Map<String, String> data);
}
