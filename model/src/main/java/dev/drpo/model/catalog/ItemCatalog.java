package dev.drpo.model.catalog;

import java.io.Closeable;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The items a policy can recommend: id -> embedding, stored normalised to unit length, with top-k
 * retrieval for a batch of query vectors (the decoded means mu(s)). Items can be upserted and
 * deleted at any time. Scores are the inner product with the unit embedding
 * ({@link Similarity#INNER_PRODUCT}) or that divided by the query's norm ({@link Similarity#COSINE});
 * both rank alike, and are always computed exactly.
 *
 * <p>Retrieval ({@link Retrieval}): exact search is one matrix product with every item
 * ({@link EmbeddingMatrix}, built at the first search, then kept up to date). Once the catalog has
 * {@code annAbove} items ({@link #wantsIndex()}) its owner builds an HNSW index ({@link HnswIndex},
 * Lucene), on its own thread ({@link #buildIndex()}) or another ({@link #indexBuild}, then
 * {@link #adopt}) while the catalog goes on searching exactly. With the index, it proposes
 * {@code candidates} items per query (more when the query excludes many) and the best k of them by
 * exact score are returned: approximate, but every returned score is the exact similarity. The
 * switch happens once and is not undone when the catalog shrinks. A catalog that is never searched
 * (state encoding) keeps only the embeddings. Ties go to the lower catalog index.
 *
 * <p>Threads may share a catalog: searches and lookups run at once (a read lock), a change waits
 * for them and they for it (the write lock). A method reads one consistent catalog; two calls may
 * see a change between them (an index from {@link #indexOf} may name another item by the time
 * {@link #embedding(int)} reads it), so threads that share it look up by id ({@link #embedding(String)},
 * {@link #sample}).
 */
public final class ItemCatalog implements Closeable {

  /** How a query and an item are scored. */
  public enum Similarity {
    COSINE,
    INNER_PRODUCT
  }

  /**
   * When and how the catalog searches approximately.
   *
   * @param annAbove catalog size from which an HNSW index is used
   * @param m HNSW neighbours per node
   * @param beamWidth HNSW candidates examined per insert
   * @param candidates items the index proposes per query, at least
   * @param ramBufferMb Lucene's indexing buffer (a bulk load below it builds one graph)
   * @param indexDirectory where the HNSW index is kept across instances ({@link #keptIndex},
   *     {@link #reopen}); empty: a temporary directory, removed on {@link #close()}
   * @param durableDirectory where a kept index is also copied for instances on other machines (a
   *     file system URI the catalog itself does not read; its users do); empty: nowhere
   */
  public record Retrieval(int annAbove, int m, int beamWidth, int candidates, int ramBufferMb, String indexDirectory,
      String durableDirectory) implements Serializable {
    /** Exact search at any size. */
    public static final Retrieval EXACT = new Retrieval(Integer.MAX_VALUE, 16, 100, 100, 1024, "", "");

    public Retrieval {
      if (annAbove < 1 || m < 2 || beamWidth < 1 || candidates < 1 || ramBufferMb < 16 || indexDirectory == null
          || durableDirectory == null || (!durableDirectory.isEmpty() && indexDirectory.isEmpty())) {
        throw new IllegalArgumentException("retrieval needs annAbove >= 1, m >= 2, beamWidth >= 1, candidates >= 1,"
            + " ramBufferMb >= 16, an index directory (empty: temporary) and a durable directory (empty: none; only"
            + " with an index directory, where copies are kept): " + this);
      }
    }

    /** These settings with the index in {@code name} under the index directory (if there is one). */
    public Retrieval forInstance(String name) {
      return indexDirectory.isEmpty() ? this : new Retrieval(annAbove, m, beamWidth, candidates, ramBufferMb,
          Path.of(indexDirectory, name).toString(), durableDirectory);
    }

    /** These settings with the index in a temporary directory (neither kept nor copied). */
    public Retrieval temporary() {
      return new Retrieval(annAbove, m, beamWidth, candidates, ramBufferMb, "", "");
    }

    Path kept() {
      return indexDirectory.isEmpty() ? null : Path.of(indexDirectory);
    }
  }

  /** Top-k items of one query, best first. */
  public record Ranking(int[] indices, String[] ids, float[] scores) {}

  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final int dimension;
  private Retrieval retrieval;
  private final List<String> ids = new ArrayList<>();
  private final List<float[]> vectors = new ArrayList<>();
  private final Map<String, Integer> index = new HashMap<>();
  /** Exact search: unit embeddings in rows 0..size-1; null until searched, or with an HNSW index. */
  private EmbeddingMatrix matrix;
  private HnswIndex ann;
  /** Ids upserted or deleted since an index build's snapshot; null when no build is outstanding. */
  private Set<String> changedSinceSnapshot;

  /** A fixed catalog with exact search. @param embeddings one row per item, any non-zero length d (normalised here) */
  public ItemCatalog(List<String> ids, float[][] embeddings) {
    this(embeddings.length == 0 ? 0 : embeddings[0].length, Retrieval.EXACT);
    if (ids.size() != embeddings.length || ids.isEmpty()) {
      throw new IllegalArgumentException("need one embedding per item id, and at least one item");
    }
    for (int i = 0; i < embeddings.length; i++) {
      if (index.containsKey(ids.get(i))) {
        throw new IllegalArgumentException("duplicate item id " + ids.get(i));
      }
      upsert(ids.get(i), embeddings[i]);
    }
  }

  /** An empty catalog of embeddings of length {@code dimension}. */
  public ItemCatalog(int dimension, Retrieval retrieval) {
    if (dimension < 1) {
      throw new IllegalArgumentException("item embeddings need a dimension >= 1, got " + dimension);
    }
    this.dimension = dimension;
    this.retrieval = retrieval;
  }

  private <T> T reading(Supplier<T> read) {
    lock.readLock().lock();
    try {
      return read.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  private <T> T changing(Supplier<T> change) {
    lock.writeLock().lock();
    try {
      return change.get();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void changing(Runnable change) {
    changing(() -> {
      change.run();
      return null;
    });
  }

  /** The embedding of {@code id}, normalised; fails naming the item on a wrong length, zero or non-finite values. */
  public static float[] unit(String id, float[] v, int dimension) {
    if (v.length != dimension) {
      throw new IllegalArgumentException("item " + id + " has dimension " + v.length + ", expected " + dimension);
    }
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    norm = Math.sqrt(norm);
    if (!(norm > 0) || !Double.isFinite(norm)) {
      throw new IllegalArgumentException("item " + id + " has a zero or non-finite embedding");
    }
    float[] u = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      u[i] = (float) (v[i] / norm);
    }
    return u;
  }

  /** Adds the item or replaces its embedding. */
  public void upsert(String id, float[] embedding) {
    float[] u = unit(id, embedding, dimension);
    changing(() -> {
      put(id, u);
      if (ann != null) {
        ann.upsert(id, u);
      }
      if (changedSinceSnapshot != null) {
        changedSinceSnapshot.add(id);
      }
    });
  }

  /** Stores a unit embedding (under the write lock, or before the catalog is shared). */
  private void put(String id, float[] u) {
    Integer i = index.get(id);
    if (i == null) {
      i = ids.size();
      ids.add(id);
      vectors.add(u);
      index.put(id, i);
    } else {
      vectors.set(i, u);
    }
    if (matrix != null) {
      if (i >= matrix.capacity()) {
        dropMatrix(); // rebuilt, larger, at the next search
      } else {
        matrix.set(i, u);
      }
    }
  }

  /** Removes the item (the last item takes its index); false if it was not in the catalog. */
  public boolean delete(String id) {
    return changing(() -> remove(id));
  }

  private boolean remove(String id) {
    Integer i = index.remove(id);
    if (i == null) {
      return false;
    }
    int last = ids.size() - 1;
    if (i != last) {
      ids.set(i, ids.get(last));
      vectors.set(i, vectors.get(last));
      index.put(ids.get(i), i);
      if (matrix != null) {
        matrix.set(i, vectors.get(i));
      }
    }
    ids.remove(last);
    vectors.remove(last);
    if (ann != null) {
      ann.delete(id);
    }
    if (changedSinceSnapshot != null) {
      changedSinceSnapshot.add(id);
    }
    return true;
  }

  /** What the last {@link #commit} in {@code retrieval}'s index directory recorded; empty if none. */
  public static Map<String, String> committed(Retrieval retrieval) {
    return retrieval.kept() == null ? Map.of() : committed(retrieval.kept());
  }

  /** What the last commit of an index kept in {@code directory} recorded; empty if it holds none. */
  public static Map<String, String> committed(Path directory) {
    return HnswIndex.committed(directory);
  }

  /**
   * The catalog as an earlier instance committed it in {@code retrieval}'s index directory: its
   * items read back from the index, which is searched as it is (no graph is built). What that
   * commit recorded is {@link #reopenedFrom()}: read by the writer that opened it, so it describes
   * exactly these items even if the directory changed since {@link #committed(Retrieval)} was read.
   *
   * @throws IllegalArgumentException if an item in it does not have {@code dimension} numbers
   * @throws java.io.UncheckedIOException if the directory holds no commit (e.g. removed meanwhile)
   */
  public static ItemCatalog reopen(int dimension, Retrieval retrieval) {
    ItemCatalog catalog = new ItemCatalog(dimension, retrieval);
    catalog.ann = new HnswIndex(retrieval.kept(), true, retrieval.m(), retrieval.beamWidth(), retrieval.ramBufferMb());
    try {
      catalog.ann.forEach((id, u) -> catalog.put(id, unit(id, u, dimension)));
    } catch (IllegalArgumentException e) {
      catalog.close();
      throw e;
    }
    return catalog;
  }

  /** What the commit this catalog was {@link #reopen}ed from recorded; empty if it was not reopened. */
  public Map<String, String> reopenedFrom() {
    return reading(() -> ann == null ? Map.of() : ann.reopenedData());
  }

  /**
   * The HNSW index in its kept directory, to commit (on any thread) what a later instance needs to
   * trust it, e.g. up to which offsets it holds the items topic; null while the catalog searches
   * exactly or its index is temporary.
   */
  public KeptIndex keptIndex() {
    return reading(() -> ann == null || ann.temporary() ? null : ann);
  }

  /** True if the catalog has reached {@code annAbove} items, searches exactly, and no index is being built for it. */
  public boolean wantsIndex() {
    return reading(() -> ann == null && changedSinceSnapshot == null && ids.size() >= retrieval.annAbove());
  }

  /**
   * An index build from the items now, for another thread to {@link IndexBuild#run}; the catalog
   * records what changes from now on until it {@link #adopt}s or {@link #abandon}s the build.
   *
   * @param where the retrieval settings with the index directory to build in (these or their
   *     {@link Retrieval#temporary()})
   */
  public IndexBuild indexBuild(Retrieval where) {
    return changing(() -> {
      if (ann != null || changedSinceSnapshot != null) {
        throw new IllegalStateException("the catalog already has an HNSW index or one being built");
      }
      changedSinceSnapshot = new HashSet<>();
      return new IndexBuild(where, List.copyOf(ids), List.copyOf(vectors));
    });
  }

  /**
   * Applies to a built index what changed since its snapshot, outside the lock (readers and
   * writers go on meanwhile), and records changes afresh from here; on the building thread, before
   * {@link #adopt}, as often as it likes: what {@link #adopt} then replays under the lock is only
   * what changed since the last catch-up.
   *
   * @return how many items it applied
   */
  public int catchUp(IndexBuild build) {
    Map<String, float[]> changed = changing(() -> {
      Map<String, float[]> now = changesSinceSnapshot(build);
      changedSinceSnapshot = new HashSet<>();
      return now;
    });
    apply(changed, build.index());
    return changed.size();
  }

  /** The items changed since the build's snapshot: each one's unit embedding, null if deleted (under the write lock). */
  private Map<String, float[]> changesSinceSnapshot(IndexBuild build) {
    if (build.index() == null || changedSinceSnapshot == null) {
      throw new IllegalStateException("no completed index build of this catalog");
    }
    Map<String, float[]> changed = new HashMap<>();
    for (String id : changedSinceSnapshot) {
      Integer i = index.get(id);
      changed.put(id, i == null ? null : vectors.get(i)); // a unit embedding is never changed in place
    }
    return changed;
  }

  private static void apply(Map<String, float[]> changes, HnswIndex built) {
    changes.forEach((id, u) -> {
      if (u == null) {
        built.delete(id);
      } else {
        built.upsert(id, u); // proposed from now on, searchable from the next reopen
      }
    });
  }

  /**
   * Searches with a built index from now on, after applying to it, under the lock, what changed
   * since its snapshot (or its last {@link #catchUp}).
   *
   * @return how many items it applied under the lock
   */
  public int adopt(IndexBuild build) {
    return changing(() -> {
      Map<String, float[]> changed = changesSinceSnapshot(build);
      apply(changed, build.index());
      changedSinceSnapshot = null;
      retrieval = build.retrieval();
      dropMatrix();
      ann = build.index();
      return changed.size();
    });
  }

  /** Goes on searching exactly after a build failed or was given up (another may start). */
  public void abandon(IndexBuild build) {
    build.discard();
    changing(() -> {
      changedSinceSnapshot = null;
    });
  }

  /** Builds the index on this thread if the catalog {@link #wantsIndex()} (tools and tests; a job builds on another). */
  public void buildIndex() {
    if (wantsIndex()) {
      IndexBuild build = indexBuild(retrieval);
      try {
        build.run();
      } catch (RuntimeException | Error e) {
        abandon(build);
        throw e;
      }
      adopt(build);
    }
  }

  public int size() {
    return reading(ids::size);
  }

  /** How it searches (its index directory is where its index is built and kept). */
  public Retrieval retrieval() {
    return reading(() -> retrieval);
  }

  /**
   * Columns of the exact search's product for a batch of this many queries (padded: see {@link
   * EmbeddingMatrix}): its native block holds 16,384 rows of them, its scores on the heap one row
   * per item. For sizing memory.
   */
  public static int productColumns(int batch) {
    return EmbeddingMatrix.stride(batch);
  }

  public int dimension() {
    return dimension;
  }

  public String id(int i) {
    return reading(() -> ids.get(i));
  }

  /** Catalog index of an item id, or -1 (indices change when items are deleted). */
  public int indexOf(String id) {
    return reading(() -> index.getOrDefault(id, -1));
  }

  /** The unit embedding of item i (do not modify). */
  public float[] embedding(int i) {
    return reading(() -> vectors.get(i));
  }

  /** The unit embedding of the item (do not modify); null if it is not in the catalog. */
  public float[] embedding(String id) {
    lock.readLock().lock();
    try {
      Integer i = index.get(id);
      return i == null ? null : vectors.get(i);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Up to {@code k} distinct items drawn uniformly, none of {@code exclude} (fewer if the catalog has fewer). */
  public String[] sample(int k, Set<String> exclude, SplittableRandom random) {
    return reading(() -> {
      int excluded = 0;
      for (String id : exclude) {
        excluded += index.containsKey(id) ? 1 : 0;
      }
      int n = Math.max(0, Math.min(k, ids.size() - excluded));
      Set<String> chosen = new LinkedHashSet<>();
      while (chosen.size() < n) {
        String id = ids.get(random.nextInt(ids.size()));
        if (!exclude.contains(id)) {
          chosen.add(id);
        }
      }
      return chosen.toArray(String[]::new);
    });
  }

  /** True once the catalog searches with an HNSW index. */
  public boolean approximate() {
    return reading(() -> ann != null);
  }

  /** Bytes of the HNSW index files (memory-mapped, outside the heap); 0 for exact search. */
  public long indexBytes() {
    return reading(() -> ann == null ? 0L : ann.bytes());
  }

  /** Makes every change searchable in the HNSW index now (it does so by itself within a second). */
  public void refresh() {
    reading(() -> {
      if (ann != null) {
        ann.refresh();
      }
      return null;
    });
  }

  /**
   * Top-k for each row of {@code queries} [b, d].
   *
   * @param exclude per query, item ids that must not be returned (e.g. just seen); may be empty
   */
  public Ranking[] topK(INDArray queries, int k, List<Set<String>> exclude, Similarity similarity) {
    return topK(floats(queries), (int) queries.size(0), k, exclude, similarity);
  }

  /**
   * Top-k for each of {@code b} queries, row-major in {@code rows} ([b, d]).
   *
   * @param exclude per query, item ids that must not be returned (e.g. just seen); may be empty
   */
  public Ranking[] topK(float[] rows, int b, int k, List<Set<String>> exclude, Similarity similarity) {
    if (rows.length != b * dimension) {
      throw new IllegalArgumentException("queries must be " + b + " x " + dimension + " values, got " + rows.length);
    }
    if (!exclude.isEmpty() && exclude.size() != b) {
      throw new IllegalArgumentException("need one exclusion set per query");
    }
    float[] scales = new float[b];
    double[] norms = new double[b];
    for (int r = 0; r < b; r++) {
      double squares = 0;
      for (int j = r * dimension; j < (r + 1) * dimension; j++) {
        squares += (double) rows[j] * rows[j];
      }
      norms[r] = Math.sqrt(squares);
      scales[r] = similarity == Similarity.COSINE && norms[r] > 0 ? (float) (1 / norms[r]) : 1f;
    }
    lock.readLock().lock();
    try {
      if (ann == null) {
        int[][] skips = new int[b][];
        for (int r = 0; r < b; r++) {
          skips[r] = excluded(exclude.isEmpty() ? Set.of() : exclude.get(r));
        }
        return best(exactScores(rows, b), b, k, skips, scales);
      }
      Ranking[] out = new Ranking[b];
      for (int r = 0; r < b; r++) {
        out[r] = approximate(Arrays.copyOfRange(rows, r * dimension, (r + 1) * dimension), k,
            exclude.isEmpty() ? Set.of() : exclude.get(r), scales[r], norms[r]);
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }


  /** The queries as floats, row-major (read from native memory at once: element by element is slow). */
  private float[] floats(INDArray queries) {
    if (queries.rank() != 2 || queries.size(1) != dimension) {
      throw new IllegalArgumentException("queries must be [b, " + dimension + "], got " + Arrays.toString(queries.shape()));
    }
    INDArray q = queries.castTo(DataType.FLOAT);
    if (q.isView() || q.ordering() != 'c') {
      q = q.dup('c');
    }
    float[] rows = new float[(int) q.length()];
    ((FloatPointer) q.data().pointer()).get(rows, 0, rows.length);
    return rows;
  }

  /** Every query's score with every item: see {@link EmbeddingMatrix#scores}. */
  private float[] exactScores(float[] rows, int b) {
    int n = ids.size();
    return n == 0 ? new float[0] : matrix().scores(rows, b, n);
  }

  /** The exact search's matrix, built at the first search (once, also when threads search at once). */
  private synchronized EmbeddingMatrix matrix() {
    if (matrix == null) {
      int n = ids.size();
      EmbeddingMatrix built = new EmbeddingMatrix(n + n / 4 + 16, dimension);
      for (int i = 0; i < n; i++) {
        built.set(i, vectors.get(i));
      }
      matrix = built;
    }
    return matrix;
  }

  /** Catalog indices of the excluded ids in the catalog, ascending (the caller holds the read lock). */
  private int[] excluded(Set<String> skip) {
    int[] out = new int[skip.size()];
    int n = 0;
    for (String id : skip) {
      int i = index.getOrDefault(id, -1);
      if (i >= 0) {
        out[n++] = i;
      }
    }
    out = Arrays.copyOf(out, n);
    Arrays.sort(out);
    return out;
  }

  /** The best k of the index's candidates (and the fresh items), scored exactly. */
  private Ranking approximate(float[] query, int k, Set<String> skip, float scale, double norm) {
    float[] unitQuery = new float[dimension];
    for (int j = 0; j < dimension; j++) {
      unitQuery[j] = norm > 0 ? (float) (query[j] / norm) : 0f;
    }
    List<String> candidates = ann.candidates(unitQuery, Math.max(retrieval.candidates(), k + skip.size()));
    Set<Integer> offered = new HashSet<>();
    TopK top = new TopK().reset(k);
    for (String id : candidates) {
      Integer i = index.get(id); // null: deleted since the reader was opened
      if (i != null && !skip.contains(id) && offered.add(i)) {
        top.offer(i, dot(query, vectors.get(i)));
      }
    }
    return ranking(top, scale);
  }

  private static float dot(float[] a, float[] b) {
    float s = 0;
    for (int j = 0; j < a.length; j++) {
      s += a[j] * b[j];
    }
    return s;
  }

  /**
   * The best k of every item for each of the {@code b} queries by {@code scores} ([size, stride(b)],
   * item-major), but the excluded ones (ascending indices per query). The scores are read in memory
   * order, every query's top k at once: reading one query's column at a time strides through the
   * whole product per query (a cache line per item).
   */
  private Ranking[] best(float[] scores, int b, int k, int[][] skips, float[] scales) {
    TopK[] tops = new TopK[b];
    float[] floors = new float[b]; // each query's floor(): most scores fail this one test (NaN passes, as TopK ranks it)
    for (int r = 0; r < b; r++) {
      tops[r] = new TopK().reset(k);
      floors[r] = tops[r].floor();
    }
    int n = ids.size();
    int m = EmbeddingMatrix.stride(b);
    for (int i = 0; i < n; i++) {
      int row = i * m;
      for (int r = 0; r < b; r++) {
        float s = scores[row + r];
        if (!(s < floors[r]) && tops[r].admits(i, s) && Arrays.binarySearch(skips[r], i) < 0) {
          tops[r].offer(i, s);
          floors[r] = tops[r].floor();
        }
      }
    }
    Ranking[] out = new Ranking[b];
    for (int r = 0; r < b; r++) {
      out[r] = ranking(tops[r], scales[r]);
    }
    return out;
  }

  /** Empties {@code top} into a ranking, its scores times {@code scale}. */
  private Ranking ranking(TopK top, float scale) {
    int[] indices = new int[top.size()];
    float[] scores = new float[indices.length];
    top.drainBestFirst(indices, scores);
    String[] bestIds = new String[indices.length];
    for (int j = 0; j < indices.length; j++) {
      bestIds[j] = ids.get(indices[j]);
      scores[j] *= scale;
    }
    return new Ranking(indices, bestIds, scores);
  }

  /** Frees the exact search's native memory and removes the HNSW index's files, if any. */
  @Override
  public void close() {
    changing(() -> {
      dropMatrix();
      if (ann != null) {
        ann.close();
        ann = null;
      }
    });
  }

  private void dropMatrix() {
    if (matrix != null) {
      matrix.close();
      matrix = null;
    }
  }

  @Override
  public String toString() {
    return reading(() -> "ItemCatalog[" + ids.size() + " items, d=" + dimension + (ann == null ? ", exact" : ", hnsw")
        + ", first=" + ids.subList(0, Math.min(3, ids.size())) + "]");
  }
}
