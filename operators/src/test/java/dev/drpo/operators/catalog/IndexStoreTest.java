package dev.drpo.operators.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.model.catalog.CommittedIndex;
import dev.drpo.model.catalog.ItemCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexStoreTest {
  static final Map<String, String> IDENTITY = Map.of("source", "test-topic", "dimension", "4");

  static ItemCatalog built(Path local, int n) {
    ItemCatalog catalog = new ItemCatalog(4, new ItemCatalog.Retrieval(100, 16, 100, 100, 16, local.toString(), ""));
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < n; i++) {
      catalog.upsert("item-" + i, LiveCatalogTest.random(r));
    }
    catalog.buildIndex();
    return catalog;
  }

  static long upload(IndexStore store, ItemCatalog catalog, String offsets) throws Exception {
    try (CommittedIndex commit = catalog.keptIndex().commit(Map.of("offsets", offsets))) {
      return store.upload(commit);
    }
  }

  static List<Path> copies(Path durable) throws Exception {
    try (var all = Files.walk(durable)) {
      return all.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("manifest")).toList();
    }
  }

  @Test
  void shouldUploadOnlyTheFilesTheLastCommitDidNotHave(@TempDir Path dir) throws Exception {
    IndexStore store = IndexStore.of(dir.resolve("durable").toUri().toString(), IDENTITY);
    try (ItemCatalog catalog = built(dir.resolve("local"), 2_000)) {
      long first = upload(store, catalog, "0:2000");
      catalog.upsert("new-1", new float[] {1, 0, 0, 0});
      long second = upload(store, catalog, "0:2001");
      long indexBytes = catalog.indexBytes();

      assertThat(first).as("the whole index the first time").isGreaterThan(indexBytes / 2);
      // (a new segment's files have a few KB of headers and footers, whatever it holds: so 2,000 items)
      assertThat(second).as("the new segment and the segments file").isPositive().isLessThan(first / 4);
      assertThat(store.latest().orElseThrow().data()).containsEntry("offsets", "0:2001");
    }
    IndexStore.Manifest latest = store.latest().orElseThrow();
    store.download(latest, dir.resolve("elsewhere"));
    try (ItemCatalog copy = ItemCatalog.reopen(4, new ItemCatalog.Retrieval(100, 16, 100, 100, 16,
        dir.resolve("elsewhere").toString(), ""))) {
      assertThat(copy.size()).isEqualTo(2_001);
      assertThat(copy.approximate()).isTrue();
      assertThat(ItemCatalog.committed(copy.retrieval())).containsEntry("offsets", "0:2001");
    }
  }

  @Test
  void shouldRemoveTheCopiesNeitherOfTheLastTwoCommitsNeeds(@TempDir Path dir) throws Exception {
    Path durable = dir.resolve("durable");
    IndexStore store = IndexStore.of(durable.toUri().toString(), IDENTITY);
    try (ItemCatalog catalog = built(dir.resolve("local"), 300)) {
      upload(store, catalog, "0:300");
      Set<Path> first = Set.copyOf(copies(durable));
      replaceEveryItem(catalog, 4);
      upload(store, catalog, "0:600");
      Set<Path> second = referenced(durable, store);
      assertThat(copies(durable)).as("the first commit's copies, while it is the one before the last").containsAll(first);
      catalog.upsert("new-1", new float[] {1, 0, 0, 0});
      upload(store, catalog, "0:601");

      Set<Path> needed = new HashSet<>(second);
      needed.addAll(referenced(durable, store));
      assertThat(first).as("the first commit had files no later one needs").isNotEqualTo(Set.copyOf(needed));
      assertThat(Set.copyOf(copies(durable))).isEqualTo(needed);
    }
  }

  @Test
  void shouldRemoveWhatAnEarlierUploaderAndAFailedUploadLeftBehindButNotAnUploadStillRunning(@TempDir Path dir) throws Exception {
    Path durable = dir.resolve("durable");
    IndexStore first = IndexStore.of(durable.toUri().toString(), IDENTITY);
    IndexStore afterFailover = IndexStore.of(durable.toUri().toString(), IDENTITY);
    try (ItemCatalog catalog = built(dir.resolve("local"), 300)) {
      upload(first, catalog, "0:300");
      Set<Path> firstCommit = referenced(durable, first);
      replaceEveryItem(catalog, 4);
      upload(first, catalog, "0:600");
      replaceEveryItem(catalog, 5);
      upload(afterFailover, catalog, "0:900");
      Set<Path> third = referenced(durable, afterFailover);
      Path root = Path.of(java.net.URI.create(afterFailover.location()));
      Files.createDirectories(root.resolve("a-failed-upload"));
      Files.writeString(root.resolve("a-failed-upload").resolve("_9.cfs"), "half a file");
      Files.writeString(root.resolve("manifest.json.a-failed-upload"), "{");
      olderThanTheGrace(root);
      Files.createDirectories(root.resolve("an-upload-still-running"));
      Files.writeString(root.resolve("an-upload-still-running").resolve("_12.cfs"), "being written");
      replaceEveryItem(catalog, 6);
      upload(afterFailover, catalog, "0:1200");

      Set<Path> needed = new HashSet<>(third);
      needed.addAll(referenced(durable, afterFailover));
      needed.add(root.resolve("an-upload-still-running").resolve("_12.cfs"));
      assertThat(needed).as("the first commit's segments are long replaced").doesNotContainAnyElementsOf(firstCommit);
      assertThat(Set.copyOf(copies(durable))).isEqualTo(needed);
      assertThat(root.resolve("a-failed-upload")).doesNotExist();
      try (var left = Files.list(root)) {
        assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("manifest"))).containsExactly("manifest.json");
      }
    }
  }

  /** As if everything under {@code root} was written two hours ago. */
  private static void olderThanTheGrace(Path root) throws Exception {
    FileTime then = FileTime.fromMillis(System.currentTimeMillis() - 2 * IndexStore.FOREIGN_GRACE_MS);
    try (var all = Files.walk(root)) {
      for (Path p : all.toList()) {
        Files.setLastModifiedTime(p, then);
      }
    }
  }

  private static void replaceEveryItem(ItemCatalog catalog, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 300; i++) { // the segments before hold only deleted documents, and go
      catalog.upsert("item-" + i, LiveCatalogTest.random(r));
    }
  }

  /** The copies the latest manifest names. */
  private static Set<Path> referenced(Path durable, IndexStore store) throws Exception {
    Path root = Path.of(java.net.URI.create(store.location()));
    return store.latest().orElseThrow().files().stream().map(f -> root.resolve(f.copy())).collect(Collectors.toSet());
  }
}
