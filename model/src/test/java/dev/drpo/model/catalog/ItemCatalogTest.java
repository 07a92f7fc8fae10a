package dev.drpo.model.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.drpo.model.catalog.ItemCatalog.Ranking;
import dev.drpo.model.catalog.ItemCatalog.Similarity;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

class ItemCatalogTest {

  @Test
  void topKMatchesBruteForceForEveryQueryAndSimilarity() {
    assertTopKMatchesBruteForce(500, 16);
  }

  @Test
  void topKMatchesBruteForceBeyondOneBlockOfTheProduct() {
    assertTopKMatchesBruteForce(2 * EmbeddingMatrix.BLOCK_ROWS + 500, 4);
  }

  private static void assertTopKMatchesBruteForce(int n, int d) {
    SplittableRandom r = new SplittableRandom(1);
    ItemCatalog catalog = randomCatalog(n, d, r);
    float[][] queries = new float[20][d];
    List<Set<String>> exclude = new ArrayList<>();
    for (int q = 0; q < queries.length; q++) {
      for (int j = 0; j < d; j++) {
        queries[q][j] = (float) r.nextGaussian() * 3;
      }
      exclude.add(Set.of("item-" + r.nextInt(n), "item-" + r.nextInt(n)));
    }
    // one to three queries take one matrix-vector product each, more one padded matrix product;
    // smaller batches after larger ones reuse the thread's bigger buffers
    for (int batch : new int[] {1, 2, 3, 5, queries.length, 3, 1}) {
      for (Similarity similarity : Similarity.values()) {
        assertBatchMatchesBruteForce(catalog, Arrays.copyOf(queries, batch), exclude.subList(0, batch), similarity);
      }
    }
  }

  private static void assertBatchMatchesBruteForce(ItemCatalog catalog, float[][] queries, List<Set<String>> exclude,
      Similarity similarity) {
    Ranking[] rankings = catalog.topK(Nd4j.create(queries), 10, exclude, similarity);
    for (int q = 0; q < queries.length; q++) {
      float[] query = queries[q];
      Set<String> skip = exclude.get(q);
      double norm = similarity == Similarity.COSINE ? Math.sqrt(dot(query, query)) : 1;
      int[] expected = IntStream.range(0, catalog.size()).filter(i -> !skip.contains(catalog.id(i))).boxed()
          .sorted(Comparator.comparingDouble((Integer i) -> -dot(query, catalog.embedding(i))).thenComparingInt(i -> i))
          .limit(10).mapToInt(Integer::intValue).toArray();
      assertThat(rankings[q].indices()).as("query %d of %d", q, queries.length).containsExactly(expected);
      for (int j = 0; j < 10; j++) {
        assertThat((double) rankings[q].scores()[j]).isCloseTo(dot(query, catalog.embedding(expected[j])) / norm, within(1e-4));
      }
    }
  }

  @Test
  void embeddingsAreStoredAsUnitVectors() {
    ItemCatalog catalog = new ItemCatalog(List.of("a", "b"), new float[][] {{3, 4}, {0, -2}});
    assertThat(catalog.embedding(0)).containsExactly(0.6f, 0.8f);
    assertThat(catalog.embedding(1)).containsExactly(0f, -1f);
    assertThat(catalog.indexOf("b")).isEqualTo(1);
    assertThat(catalog.indexOf("zzz")).isEqualTo(-1);
  }

  @Test
  void refusesBadCatalogsWithTheItemNamed() {
    assertThatThrownBy(() -> new ItemCatalog(List.of("a", "b"), new float[][] {{1, 0}, {0, 0}}))
        .hasMessageContaining("item b has a zero");
    assertThatThrownBy(() -> new ItemCatalog(List.of("a", "a"), new float[][] {{1, 0}, {0, 1}}))
        .hasMessageContaining("duplicate item id a");
  }

  @Test
  void exactSearchFollowsUpsertsAndDeletes() {
    SplittableRandom r = new SplittableRandom(2);
    ItemCatalog catalog = randomCatalog(300, 8, r);
    Map<String, float[]> live = new HashMap<>();
    for (int i = 0; i < catalog.size(); i++) {
      live.put(catalog.id(i), catalog.embedding(i));
    }
    for (int round = 0; round < 400; round++) {
      String id = "item-" + r.nextInt(600);
      if (r.nextBoolean()) {
        float[] v = gaussian(8, r);
        catalog.upsert(id, v);
        live.put(id, ItemCatalog.unit(id, v, 8));
      } else {
        assertThat(catalog.delete(id)).isEqualTo(live.remove(id) != null);
      }
      if (round % 40 == 0) {
        float[] query = gaussian(8, r);
        Ranking top = catalog.topK(Nd4j.create(new float[][] {query}), 5, List.of(), Similarity.INNER_PRODUCT)[0];
        List<String> expected = live.entrySet().stream()
            .sorted(Comparator.comparingDouble((Map.Entry<String, float[]> e) -> -dot(query, e.getValue())))
            .limit(5).map(Map.Entry::getKey).toList();
        assertThat(top.ids()).containsExactlyElementsOf(expected);
      }
    }
    assertThat(catalog.size()).isEqualTo(live.size());
  }

  @Test
  void approximateSearchFindsNewItemsAtOnceAndNeverReturnsDeletedOnes() {
    SplittableRandom r = new SplittableRandom(3);
    int d = 16;
    ItemCatalog exact = new ItemCatalog(d, ItemCatalog.Retrieval.EXACT);
    ItemCatalog ann = new ItemCatalog(d, new ItemCatalog.Retrieval(1_000, 16, 100, 50, 64, "", ""));
    float[][] centres = new float[10][];
    for (int t = 0; t < centres.length; t++) {
      centres[t] = gaussian(d, r);
    }
    try (ann) {
      for (int i = 0; i < 3_000; i++) {
        float[] v = around(centres[r.nextInt(10)], r);
        exact.upsert("item-" + i, v);
        ann.upsert("item-" + i, v);
      }
      assertThat(ann.approximate()).as("built by its owner").isFalse();
      ann.buildIndex();
      assertThat(ann.approximate()).isTrue();
      assertThat(exact.approximate()).isFalse();
      double recall = 0;
      for (int q = 0; q < 100; q++) {
        float[] query = around(centres[r.nextInt(10)], r);
        Set<String> skip = Set.of("item-" + r.nextInt(3_000));
        Ranking want = exact.topK(Nd4j.create(new float[][] {query}), 10, List.of(skip), Similarity.COSINE)[0];
        Ranking got = ann.topK(Nd4j.create(new float[][] {query}), 10, List.of(skip), Similarity.COSINE)[0];
        recall += Arrays.stream(got.ids()).filter(Set.of(want.ids())::contains).count() / 10.0;
        assertThat(got.ids()).doesNotContainAnyElementsOf(skip);
        for (int j = 0; j < got.ids().length; j++) { // exact cosine, whatever proposed the item
          float[] e = ann.embedding(ann.indexOf(got.ids()[j]));
          assertThat((double) got.scores()[j]).isCloseTo(dot(query, e) / Math.sqrt(dot(query, query)), within(1e-5));
        }
      }
      assertThat(recall / 100).isGreaterThan(0.9);

      float[] target = around(centres[0], r);
      ann.upsert("new-item", target); // no refresh: the index has not seen it yet
      assertThat(ann.topK(Nd4j.create(new float[][] {target}), 1, List.of(), Similarity.COSINE)[0].ids()).containsExactly("new-item");
      String nearest = ann.topK(Nd4j.create(new float[][] {centres[3]}), 1, List.of(), Similarity.COSINE)[0].ids()[0];
      ann.delete(nearest);
      ann.delete("new-item");
      assertThat(ann.topK(Nd4j.create(new float[][] {centres[3], target}), 10, List.of(), Similarity.COSINE))
          .allSatisfy(top -> assertThat(top.ids()).doesNotContain(nearest, "new-item"));
      ann.refresh();
      assertThat(ann.topK(Nd4j.create(new float[][] {centres[3], target}), 10, List.of(), Similarity.COSINE))
          .allSatisfy(top -> assertThat(top.ids()).doesNotContain(nearest, "new-item").hasSize(10));
      assertThat(ann.size()).isEqualTo(2_999);
      assertThat(ann.indexBytes()).isPositive();
    }
  }

  @Test
  void shouldAnswerReadersOnOtherThreadsWhileItChanges() throws Exception {
    int d = 8;
    SplittableRandom r = new SplittableRandom(3);
    ItemCatalog catalog = new ItemCatalog(d, new ItemCatalog.Retrieval(200, 16, 100, 50, 16, "", ""));
    for (int i = 0; i < 300; i++) {
      catalog.upsert("item-" + i, gaussian(d, r));
    }
    catalog.buildIndex();
    AtomicBoolean done = new AtomicBoolean();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    List<Thread> readers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      SplittableRandom own = new SplittableRandom(t);
      Thread reader = new Thread(() -> {
        try {
          while (!done.get()) {
            assertThat(catalog.topK(gaussian(d, own), 1, 5, List.of(Set.of("item-1")), Similarity.COSINE)[0].ids())
                .hasSize(5).doesNotContain("item-1");
            float[] e = catalog.embedding("item-" + own.nextInt(600));
            assertThat(e == null || e.length == d).isTrue();
            assertThat(catalog.sample(3, Set.of(), own)).hasSize(3).doesNotHaveDuplicates();
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      reader.start();
      readers.add(reader);
    }
    for (int i = 0; i < 3_000; i++) { // items come and go while they read (deletes move the last item into the gap)
      if (r.nextBoolean()) {
        catalog.upsert("item-" + r.nextInt(600), gaussian(d, r));
      } else {
        catalog.delete("item-" + (2 + r.nextInt(598)));
      }
    }
    done.set(true);
    for (Thread reader : readers) {
      reader.join();
    }
    catalog.close();
    assertThat(failures).isEmpty();
  }

  @Test
  void shouldCatchABuiltIndexUpWithoutTheLockSoThatAdoptingItReplaysOnlyWhatChangedSince() throws Exception {
    int d = 8;
    SplittableRandom r = new SplittableRandom(4);
    try (ItemCatalog catalog = new ItemCatalog(d, new ItemCatalog.Retrieval(200, 16, 100, 50, 16, "", ""))) {
      for (int i = 0; i < 300; i++) {
        catalog.upsert("item-" + i, gaussian(d, r));
      }
      IndexBuild build = catalog.indexBuild(catalog.retrieval());
      build.run();
      float[] moved = gaussian(d, r);
      catalog.upsert("item-7", moved);
      for (int i = 0; i < 100; i++) { // changes while the graph was built
        catalog.upsert("new-" + i, gaussian(d, r));
      }
      catalog.delete("item-9");
      assertThat(catalog.catchUp(build)).isEqualTo(102);
      float[] last = gaussian(d, r);
      catalog.upsert("last", last);

      assertThat(catalog.adopt(build)).as("replayed under the lock: only what changed after the catch-up").isEqualTo(1);
      assertThat(catalog.approximate()).isTrue();
      catalog.refresh();
      assertThat(catalog.topK(moved, 1, 1, List.of(), Similarity.COSINE)[0].ids()).containsExactly("item-7");
      assertThat(catalog.topK(last, 1, 1, List.of(), Similarity.COSINE)[0].ids()).containsExactly("last");
      assertThat(catalog.topK(gaussian(d, r), 1, 400, List.of(), Similarity.COSINE)[0].ids())
          .hasSize(400).contains("new-0", "new-99").doesNotContain("item-9");
    }
  }

  @Test
  void shouldReopenOnlyACommittedIndexWithWhatItsOwnCommitRecorded(@TempDir Path dir) throws Exception {
    int d = 8;
    ItemCatalog.Retrieval here = new ItemCatalog.Retrieval(100, 16, 100, 50, 16, dir.resolve("here").toString(), "");
    ItemCatalog.Retrieval there = new ItemCatalog.Retrieval(100, 16, 100, 50, 16, dir.resolve("there").toString(), "");
    Files.createDirectories(dir.resolve("here"));
    assertThatThrownBy(() -> ItemCatalog.reopen(d, here)).as("no commit: nothing to reopen, not an empty index")
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining("cannot reopen the HNSW index in");
    assertThat(ItemCatalog.committed(here)).isEmpty();

    committedIndex(here, 150, "0:150");
    committedIndex(there, 120, "0:999");
    Map<String, String> lookedAt = ItemCatalog.committed(here);
    try (var files = Files.list(dir.resolve("here"))) { // another process replaces the copy meanwhile
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    try (var files = Files.list(dir.resolve("there"))) {
      for (Path f : files.toList()) {
        Files.move(f, dir.resolve("here").resolve(f.getFileName()));
      }
    }
    try (ItemCatalog reopened = ItemCatalog.reopen(d, here)) {
      assertThat(lookedAt).containsEntry("offsets", "0:150");
      assertThat(reopened.reopenedFrom()).as("what the items it holds were committed with").containsEntry("offsets", "0:999");
      assertThat(reopened.size()).isEqualTo(120);
    }
  }

  /**
   * An index Lucene 9.12 kept (built and committed by {@link #committedIndex} with 150 items and
   * offsets "0:150", by this project's build before Lucene 10): reopened through Lucene's backward
   * codecs, searched, changed and committed again, and the result reopened.
   */
  @Test
  void shouldReopenAnIndexLucene912KeptAndGoOnWithIt(@TempDir Path dir) throws Exception {
    Path kept = Files.createDirectories(dir.resolve("kept"));
    try (var files = Files.list(Path.of(ItemCatalogTest.class.getResource("/lucene-9.12-kept-index").toURI()))) {
      for (Path f : files.toList()) {
        Files.copy(f, kept.resolve(f.getFileName()));
      }
    }
    ItemCatalog.Retrieval here = new ItemCatalog.Retrieval(100, 16, 100, 50, 16, kept.toString(), "");
    SplittableRandom r = new SplittableRandom(150);
    float[][] vectors = new float[150][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = gaussian(8, r);
    }
    try (ItemCatalog reopened = ItemCatalog.reopen(8, here)) {
      assertThat(reopened.reopenedFrom()).containsEntry("offsets", "0:150");
      assertThat(reopened.size()).isEqualTo(150);
      assertThat(reopened.approximate()).isTrue();
      assertThat(reopened.embedding("item-42")).containsExactly(ItemCatalog.unit("item-42", vectors[42], 8));
      assertThat(reopened.topK(vectors[42], 1, 1, List.of(), Similarity.COSINE)[0].ids()).containsExactly("item-42");
      reopened.upsert("new", vectors[7]);
      reopened.delete("item-7");
      reopened.refresh();
      reopened.keptIndex().commit(Map.of("offsets", "0:152")).close();
    }
    try (ItemCatalog again = ItemCatalog.reopen(8, here)) {
      assertThat(again.reopenedFrom()).containsEntry("offsets", "0:152");
      assertThat(again.size()).isEqualTo(150);
      assertThat(again.topK(vectors[7], 1, 1, List.of(), Similarity.COSINE)[0].ids()).containsExactly("new");
    }
  }

  private static void committedIndex(ItemCatalog.Retrieval where, int items, String offsets) {
    SplittableRandom r = new SplittableRandom(items);
    try (ItemCatalog catalog = new ItemCatalog(8, where)) {
      for (int i = 0; i < items; i++) {
        catalog.upsert("item-" + i, gaussian(8, r));
      }
      catalog.buildIndex();
      catalog.keptIndex().commit(Map.of("offsets", offsets)).close();
    }
  }

  static float[] gaussian(int d, SplittableRandom r) {
    float[] v = new float[d];
    for (int j = 0; j < d; j++) {
      v[j] = (float) r.nextGaussian();
    }
    return v;
  }

  static float[] around(float[] centre, SplittableRandom r) {
    float[] v = gaussian(centre.length, r);
    for (int j = 0; j < v.length; j++) {
      v[j] = centre[j] + 0.5f * v[j];
    }
    return v;
  }

  static ItemCatalog randomCatalog(int n, int d, SplittableRandom r) {
    List<String> ids = new ArrayList<>();
    float[][] e = new float[n][d];
    for (int i = 0; i < n; i++) {
      ids.add("item-" + i);
      for (int j = 0; j < d; j++) {
        e[i][j] = (float) r.nextGaussian();
      }
    }
    return new ItemCatalog(ids, e);
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
