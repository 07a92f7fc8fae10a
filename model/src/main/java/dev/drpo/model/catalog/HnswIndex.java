package dev.drpo.model.catalog;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KeepOnlyLastCommitDeletionPolicy;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.SnapshotDeletionPolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.ControlledRealTimeReopenThread;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * Approximate nearest neighbours of unit vectors with Lucene's HNSW graphs (the vector search
 * Elasticsearch and OpenSearch build on): one document per item (id, vector), inner product, in a
 * memory-mapped directory: a temporary one, deleted on {@link #close()}, or a kept one whose last
 * {@link #commit} a later instance reopens instead of building the graphs again.
 *
 * <p>It only proposes candidates: one {@link KnnFloatVectorQuery} across every segment (the best
 * n overall); {@link ItemCatalog} scores them exactly with the live vectors and drops deleted and
 * excluded ones. Changes are written at once and become searchable when a thread of the index's own
 * reopens the searcher (Lucene's {@link ControlledRealTimeReopenThread}, within
 * {@link #MAX_STALE_SECONDS}); until then the ids upserted since are always proposed (those the
 * searcher covers by sequence number are dropped from that list), so an item is a candidate from
 * its upsert on, and a deleted item that the old searcher still finds is dropped by the catalog.
 * The thread that changes the index never reopens, commits or merges: commits run where
 * {@link #commit} is called, merges on Lucene's merge threads.
 */
final class HnswIndex implements KeptIndex, Closeable {
  /** How stale the searcher may get while changes wait, at most. */
  static final double MAX_STALE_SECONDS = 1.0;
  private static final String ID = "id";
  private static final String VECTOR = "vector";

  private final Path directory;
  private final boolean temporary;
  private final MMapDirectory files;
  private final IndexWriter writer;
  /** Keeps a commit's files while they are copied elsewhere (Lucene deletes those of older commits). */
  private final SnapshotDeletionPolicy commits = new SnapshotDeletionPolicy(new KeepOnlyLastCommitDeletionPolicy());
  private final SearcherManager searchers;
  private final ControlledRealTimeReopenThread<IndexSearcher> reopener;
  /** What the commit this index was reopened from recorded (empty for a new index). */
  private final Map<String, String> reopenedData;
  /** Ids upserted since the searcher was reopened, with the sequence number of their upsert (guarded by itself: searches prune it). */
  private final Map<String, Long> fresh = new LinkedHashMap<>();

  /**
   * @param kept where the index lives and stays after {@link #close()}; null: a temporary directory
   * @param reopen open what was committed in {@code kept} (fails if nothing was), else start empty
   * @param m graph neighbours per node (Lucene's default 16)
   * @param beamWidth candidates examined per insert (Lucene's default 100)
   */
  HnswIndex(Path kept, boolean reopen, int m, int beamWidth, int ramBufferMb) {
    try {
      temporary = kept == null;
      directory = temporary ? Files.createTempDirectory("drpo-hnsw-") : Files.createDirectories(kept);
      files = new MMapDirectory(directory);
      IndexWriterConfig config = new IndexWriterConfig()
          .setOpenMode(reopen ? IndexWriterConfig.OpenMode.APPEND : IndexWriterConfig.OpenMode.CREATE)
          .setRAMBufferSizeMB(ramBufferMb)
          .setIndexDeletionPolicy(commits)
          .setCodec(new Lucene104Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
              return new Lucene99HnswVectorsFormat(m, beamWidth);
            }
          });
      ConcurrentMergeScheduler merges = new ConcurrentMergeScheduler();
      // one merge thread (the cores serve), and room for merges to queue before the writer's callers are stalled
      merges.setMaxMergesAndThreads(8, 1);
      config.setMergeScheduler(merges);
      writer = new IndexWriter(files, config);
      Map<String, String> data = new HashMap<>();
      Iterable<Map.Entry<String, String>> committed = reopen ? writer.getLiveCommitData() : null;
      if (committed != null) {
        committed.forEach(e -> data.put(e.getKey(), e.getValue()));
      }
      reopenedData = Map.copyOf(data);
      searchers = new SearcherManager(writer, null);
      // started at the first change: reopening flushes a segment, so one running during a bulk load would cut its graphs into many
      reopener = new ControlledRealTimeReopenThread<>(writer, searchers, MAX_STALE_SECONDS, 0.05);
      reopener.setName("hnsw reopen " + directory.getFileName());
      reopener.setDaemon(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot " + (reopen ? "reopen the HNSW index in " + kept : "create the HNSW index"), e);
    }
  }

  private static Document document(String id, float[] unit) {
    Document doc = new Document();
    doc.add(new StringField(ID, id, Field.Store.NO));
    doc.add(new BinaryDocValuesField(ID, new BytesRef(id)));
    doc.add(new KnnFloatVectorField(VECTOR, unit, VectorSimilarityFunction.DOT_PRODUCT));
    return doc;
  }

  /**
   * Indexes items not in the index yet, on every core (each indexing thread builds its own
   * segment's graph, so a bulk load takes about 1/cores of the time and leaves that many segments),
   * and makes them searchable.
   */
  void addAll(List<String> ids, List<float[]> units) {
    ForkJoinPool pool = new ForkJoinPool(Runtime.getRuntime().availableProcessors());
    try {
      pool.submit(() -> IntStream.range(0, ids.size()).parallel().forEach(i -> {
        try {
          writer.addDocument(document(ids.get(i), units.get(i)));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot index item " + ids.get(i), e);
        }
      })).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building the HNSW index", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot build the HNSW index: " + e.getCause().getMessage(), e.getCause());
    } finally {
      pool.shutdown();
    }
    refresh();
  }

  void upsert(String id, float[] unit) {
    try {
      long sequence = writer.updateDocument(new Term(ID, id), document(id, unit));
      synchronized (fresh) {
        fresh.put(id, sequence);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot index item " + id, e);
    }
    reopenFromNowOn();
  }

  void delete(String id) {
    try {
      writer.deleteDocuments(new Term(ID, id));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete item " + id, e);
    }
    synchronized (fresh) {
      fresh.remove(id);
    }
    reopenFromNowOn();
  }

  private void reopenFromNowOn() {
    if (reopener.getState() == Thread.State.NEW) {
      reopener.start();
    }
  }

  /**
   * Up to {@code n} ids nearest {@code query} across the searcher's segments (which may still hold
   * deleted items or an upserted item's old vector), plus every id upserted since it was opened.
   */
  List<String> candidates(float[] query, int n) {
    long covered = reopener.getSearchingGen();
    List<String> upserted;
    synchronized (fresh) {
      fresh.values().removeIf(sequence -> sequence <= covered);
      upserted = List.copyOf(fresh.keySet());
    }
    List<String> ids = new ArrayList<>(n + upserted.size());
    try {
      IndexSearcher searcher = searchers.acquire();
      try {
        ScoreDoc[] hits = searcher.search(new KnnFloatVectorQuery(VECTOR, query, n), n).scoreDocs;
        Arrays.sort(hits, Comparator.comparingInt(h -> h.doc)); // doc values are read forwards, leaf by leaf
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        int leaf = -1;
        BinaryDocValues names = null;
        for (ScoreDoc hit : hits) {
          int in = ReaderUtil.subIndex(hit.doc, leaves);
          if (in != leaf) {
            leaf = in;
            names = leaves.get(in).reader().getBinaryDocValues(ID);
          }
          if (names.advanceExact(hit.doc - leaves.get(in).docBase)) {
            ids.add(names.binaryValue().utf8ToString());
          }
        }
      } finally {
        searchers.release(searcher);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot search the HNSW index", e);
    }
    ids.addAll(upserted);
    return ids;
  }

  /** Makes every change so far searchable now (flushes a segment; the reopen thread does so within a second anyway). */
  void refresh() {
    try {
      searchers.maybeRefreshBlocking();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reopen the HNSW index", e);
    }
    synchronized (fresh) {
      fresh.clear();
    }
  }

  /** True if the index lives in a temporary directory, removed on {@link #close()}. */
  boolean temporary() {
    return temporary;
  }

  /** What the commit this index was reopened from recorded, read by its writer (empty for a new index). */
  Map<String, String> reopenedData() {
    return reopenedData;
  }

  /** What the last commit in {@code kept} recorded; empty if it holds no index. */
  static Map<String, String> committed(Path kept) {
    if (!Files.isDirectory(kept)) {
      return Map.of();
    }
    try (MMapDirectory dir = new MMapDirectory(kept)) {
      return DirectoryReader.indexExists(dir) ? SegmentInfos.readLatestCommit(dir).getUserData() : Map.of();
    } catch (IOException e) {
      return Map.of(); // unreadable: built again
    }
  }

  /**
   * Writes every change so far durably, with {@code data} (what a later instance needs to trust it).
   * Safe on another thread than the one changing the index (Lucene's writer is). One commit at a
   * time: Lucene takes the commit data when a commit ends, not when it flushes, so a second caller's
   * data (offsets read later) set during a first commit would go out with the first one's content.
   */
  @Override
  public synchronized CommittedIndex commit(Map<String, String> data) {
    try {
      writer.setLiveCommitData(data.entrySet());
      writer.commit();
      IndexCommit commit = commits.snapshot();
      return new CommittedIndex(directory, commit.getSegmentsFileName(), List.copyOf(commit.getFileNames()), commit.getUserData(),
          () -> release(commit));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot commit the HNSW index in " + directory, e);
    }
  }

  /** Lets Lucene delete the commit's files once a later commit replaces it. */
  private void release(IndexCommit commit) {
    try {
      commits.release(commit);
      writer.deleteUnusedFiles();
    } catch (IOException | AlreadyClosedException e) {
      // closed meanwhile: the next writer in this directory deletes what no commit needs
    }
  }

  /** Every item in the index (after {@link #refresh()}), its id and vector. */
  void forEach(BiConsumer<String, float[]> item) {
    try {
      IndexSearcher searcher = searchers.acquire();
      try {
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
          LeafReader segment = leaf.reader();
          FloatVectorValues vectors = segment.getFloatVectorValues(VECTOR);
          BinaryDocValues names = segment.getBinaryDocValues(ID);
          Bits live = segment.getLiveDocs();
          if (vectors == null) {
            continue;
          }
          KnnVectorValues.DocIndexIterator docs = vectors.iterator();
          for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
            if ((live == null || live.get(doc)) && names.advanceExact(doc)) {
              item.accept(names.binaryValue().utf8ToString(), vectors.vectorValue(docs.index()).clone());
            }
          }
        }
      } finally {
        searchers.release(searcher);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the HNSW index in " + directory, e);
    }
  }

  /** Segments the searcher holds now. */
  int segments() throws IOException {
    IndexSearcher searcher = searchers.acquire();
    try {
      return searcher.getIndexReader().leaves().size();
    } finally {
      searchers.release(searcher);
    }
  }

  /** Bytes of the index files (memory-mapped, outside the Java heap). */
  long bytes() {
    try (Stream<Path> all = Files.list(directory)) {
      long sum = 0;
      for (Path p : all.toList()) {
        try {
          sum += Files.size(p);
        } catch (NoSuchFileException e) {
          // merged away meanwhile
        }
      }
      return sum;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Drops what was not committed; removes a temporary directory. */
  @Override
  public void close() {
    try {
      if (reopener.getState() != Thread.State.NEW) {
        reopener.close();
      }
      searchers.close();
      writer.rollback();
      files.close();
      if (!temporary) {
        return;
      }
      try (Stream<Path> all = Files.walk(directory)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the HNSW index at " + directory, e);
    }
  }
}
