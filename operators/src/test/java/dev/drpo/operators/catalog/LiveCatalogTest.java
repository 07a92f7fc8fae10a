package dev.drpo.operators.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drpo.model.catalog.ItemCatalog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveCatalogTest {

  /** An items topic of one partition, in memory: record i is at offset i; a load waits while it is held. */
  record Log(String source, List<CatalogUpdate> records, AtomicInteger read, AtomicReference<CountDownLatch> held)
      implements CatalogLoader {
    Log(String source) {
      this(source, new ArrayList<>(), new AtomicInteger(), new AtomicReference<>(new CountDownLatch(0)));
    }

    /** Loads wait until the latch is counted down. */
    CountDownLatch holdLoads() {
      held.set(new CountDownLatch(1));
      return held.get();
    }

    void append(String id, float[] embedding) {
      records.add(new CatalogUpdate(id, embedding, 0, records.size()));
    }

    @Override
    public int dimension() {
      return 4;
    }

    @Override
    public Map<Integer, Long> loadInto(ItemCatalog catalog, Map<Integer, Long> from) throws InterruptedException {
      held.get().await();
      for (CatalogUpdate u : records.subList(from.getOrDefault(0, 0L).intValue(), records.size())) {
        read.incrementAndGet();
        u.applyTo(catalog);
      }
      return Map.of(0, (long) records.size());
    }
  }

  /** A catalog started and its load taken over (and its index's build, if it builds one). */
  static LiveCatalog loaded(CatalogLoader loader, ItemCatalog.Retrieval retrieval) throws InterruptedException {
    QueuedTaskThread taskThread = new QueuedTaskThread();
    LiveCatalog live = LiveCatalog.start("job", loader, retrieval, "test", taskThread, "test", false);
    taskThread.runUntilSettled(live);
    return live;
  }

  static float[] random(SplittableRandom r) {
    return new float[] {(float) r.nextGaussian(), (float) r.nextGaussian(), (float) r.nextGaussian(), (float) r.nextGaussian()};
  }

  static Log items(int n) {
    Log log = new Log("test-topic");
    SplittableRandom r = new SplittableRandom(5);
    for (int i = 0; i < n; i++) {
      log.append("item-" + i, random(r));
    }
    return log;
  }

  @Test
  void shouldSkipWhatTheLoadCoveredSoAnOldRecordNeitherOverwritesNorResurrects() throws Exception {
    Log log = items(10); // offsets 0..9
    try (LiveCatalog live = loaded(log, ItemCatalog.Retrieval.EXACT)) {
      assertThat(live.apply(new CatalogUpdate("item-1", null, 0, 9))).isFalse();
      assertThat(live.apply(new CatalogUpdate("c", new float[] {1, 1, 0, 0}, 0, 3))).isFalse();
      assertThat(live.catalog().size()).isEqualTo(10);

      assertThat(live.apply(new CatalogUpdate("item-2", new float[] {-3, 0, 0, 0}, 0, 10))).isTrue();
      assertThat(live.apply(new CatalogUpdate("c", new float[] {1, 1, 0, 0}, 1, 0))).as("another partition").isTrue();
      assertThat(live.apply(new CatalogUpdate("item-1", null, 0, 11))).isTrue();
      assertThat(live.catalog().indexOf("item-1")).isEqualTo(-1);
      assertThat(live.catalog().embedding(live.catalog().indexOf("item-2"))).containsExactly(-1f, 0f, 0f, 0f);
      assertThat(live.catalog().size()).isEqualTo(10);
    }
  }

  @Test
  void shouldShareOneCatalogBetweenTheInstancesOfATaskManagerUntilTheLastCloses() throws Exception {
    Log log = items(10); // offsets 0..9
    QueuedTaskThread scorer = new QueuedTaskThread();
    QueuedTaskThread encoder = new QueuedTaskThread();
    LiveCatalog first = LiveCatalog.start("job", log, ItemCatalog.Retrieval.EXACT, "subtask-0", scorer, "scorer 0", false);
    LiveCatalog second = LiveCatalog.start("job", log, ItemCatalog.Retrieval.EXACT, "subtask-1", encoder, "encoder 1", false);
    scorer.runUntilSettled(first);
    encoder.runUntilSettled(second);
    assertThat(log.read().get()).as("loaded once").isEqualTo(10);
    assertThat(second.catalog()).as("one catalog").isSameAs(first.catalog());

    CatalogUpdate upsert = new CatalogUpdate("new", new float[] {0, 0, 1, 1}, 0, 10);
    CatalogUpdate newer = new CatalogUpdate("new", new float[] {0, 0, 0, 1}, 0, 11);
    assertThat(first.apply(upsert)).as("the first to receive an update applies it").isTrue();
    assertThat(first.apply(newer)).isTrue();
    assertThat(second.apply(upsert)).as("the others find it applied").isTrue();
    assertThat(second.catalog().embedding("new")).as("not applied again over the newer one").containsExactly(0f, 0f, 0f, 1f);
    assertThat(second.apply(new CatalogUpdate("item-3", null, 0, 3))).as("covered by the load").isFalse();

    first.close();
    assertThat(second.apply(new CatalogUpdate("item-1", null, 0, 12))).as("open while an instance uses it").isTrue();
    assertThat(second.catalog().topK(new float[] {0, 0, 0, 1}, 1, 1, List.of(), ItemCatalog.Similarity.COSINE)[0].ids())
        .containsExactly("new");
    second.close();

    try (LiveCatalog again = loaded(log, ItemCatalog.Retrieval.EXACT)) {
      assertThat(log.read().get()).as("the last close released it: loaded anew").isEqualTo(20);
      assertThat(again.catalog()).isNotSameAs(first.catalog());
    }
  }

  @Test
  void shouldNotShareACatalogWithTheInstancesOfAnotherJob() throws Exception {
    Log log = items(10);
    QueuedTaskThread first = new QueuedTaskThread();
    QueuedTaskThread second = new QueuedTaskThread();
    try (LiveCatalog ofOneJob = LiveCatalog.start("one job", log, ItemCatalog.Retrieval.EXACT, "subtask-0", first, "scorer 0", false);
        LiveCatalog ofAnother = LiveCatalog.start("another job", log, ItemCatalog.Retrieval.EXACT, "subtask-0", second, "scorer 0",
            false)) {
      first.runUntilSettled(ofOneJob);
      second.runUntilSettled(ofAnother);
      assertThat(log.read().get()).as("loaded once per job").isEqualTo(20);
      assertThat(ofAnother.catalog()).isNotSameAs(ofOneJob.catalog());
    }
  }

  @Test
  void shouldReopenAKeptIndexAndReadTheTopicOnlyFromWhereItsCommitEnds(@TempDir Path dir) throws Exception {
    ItemCatalog.Retrieval kept = new ItemCatalog.Retrieval(100, 16, 100, 100, 16, dir.toString(), "");
    Log log = items(300);
    try (LiveCatalog first = loaded(log, kept)) {
      assertThat(first.catalog().approximate()).isTrue();
      log.append("new-1", new float[] {1, 0, 0, 0});
      first.apply(log.records().get(300));
      log.append("item-5", null);
      first.apply(log.records().get(301));
    } // closing commits what was applied
    log.append("new-2", new float[] {0, 1, 0, 0}); // while no instance runs
    log.append("item-6", null);
    log.read().set(0);

    try (LiveCatalog second = loaded(log, kept)) {
      assertThat(log.read().get()).as("only the records after the commit").isEqualTo(2);
      ItemCatalog catalog = second.catalog();
      assertThat(catalog.approximate()).isTrue();
      assertThat(catalog.size()).isEqualTo(300);
      assertThat(catalog.indexOf("item-5")).isEqualTo(-1);
      assertThat(catalog.indexOf("item-6")).isEqualTo(-1);
      assertThat(catalog.topK(org.nd4j.linalg.factory.Nd4j.create(new float[][] {{1, 0, 0, 0}, {0, 1, 0, 0}}), 1, List.of(),
          ItemCatalog.Similarity.COSINE)).extracting(top -> top.ids()[0]).containsExactly("new-1", "new-2");
      assertThat(second.apply(new CatalogUpdate("item-7", null, 0, 303))).as("covered by the load").isFalse();
    }

    Log another = items(300);
    try (LiveCatalog rebuilt = loaded(new Log("another-topic", another.records(), another.read(), another.held()), kept)) {
      assertThat(another.read().get()).as("an index kept for another topic is built again").isEqualTo(300);
      assertThat(rebuilt.catalog().indexOf("new-1")).isEqualTo(-1);
    }
  }

  /** The manifest the uploading instance wrote under {@code durable}, once it is there (30 s at most). */
  static Path manifestIn(Path durable) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (var all = Files.walk(durable)) {
        var found = all.filter(p -> p.getFileName().toString().equals("manifest.json")).findFirst();
        if (found.isPresent()) {
          return found.get();
        }
      } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
        // being written
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no manifest under " + durable + " within 30 s");
  }

  @Test
  void shouldDownloadTheIndexOnAMachineWithoutALocalCopyInsteadOfBuildingIt(@TempDir Path dir) throws Exception {
    Path durable = dir.resolve("durable");
    Log log = items(300);
    try (LiveCatalog uploader = uploaded(log, dir.resolve("machine-1"), durable)) {
      assertThat(uploader.catalog().approximate()).isTrue();
      log.append("new-1", new float[] {1, 0, 0, 0});
      uploader.apply(log.records().get(300));
    }
    log.read().set(0);

    QueuedTaskThread fresh = new QueuedTaskThread();
    try (LiveCatalog downloaded = LiveCatalog.start("job", log, kept(dir.resolve("machine-2"), durable), "test", fresh, "test", false)) {
      fresh.runUntilSettled(downloaded);
      assertThat(fresh.descriptions).as("no index built").containsExactly("catalog loaded");
      assertThat(downloaded.catalog().approximate()).isTrue();
      assertThat(downloaded.catalog().size()).isEqualTo(301);
      assertThat(log.read().get()).as("the topic read on from the copy's commit").isEqualTo(1);
      assertThat(downloaded.catalog().topK(org.nd4j.linalg.factory.Nd4j.create(new float[][] {{1, 0, 0, 0}, {0, 1, 0, 0}}), 1,
          List.of(), ItemCatalog.Similarity.COSINE)[0].ids()).containsExactly("new-1");
    }
  }

  @Test
  void shouldBuildTheIndexWhenTheDurableCopyDiffersFromItsManifest(@TempDir Path dir) throws Exception {
    Path durable = dir.resolve("durable");
    Log log = items(300);
    uploaded(log, dir.resolve("machine-1"), durable).close();
    try (var copies = Files.walk(manifestIn(durable).getParent())) {
      Path vectors = copies.filter(p -> p.toString().endsWith(".vec") || p.toString().endsWith(".cfs")).findFirst().orElseThrow();
      byte[] bytes = Files.readAllBytes(vectors);
      bytes[bytes.length / 2] ^= 1;
      Files.write(vectors, bytes);
    }
    log.read().set(0);

    QueuedTaskThread fresh = new QueuedTaskThread();
    try (LiveCatalog rebuilt = LiveCatalog.start("job", log, kept(dir.resolve("machine-2"), durable), "test", fresh, "test", false)) {
      fresh.runUntilSettled(rebuilt);
      assertThat(fresh.descriptions).containsExactly("catalog loaded", "catalog index built");
      assertThat(log.read().get()).isEqualTo(300);
      assertThat(rebuilt.catalog().approximate()).isTrue();
    }
  }

  /** An instance that uploads its index, once it has loaded, built and copied it. */
  static LiveCatalog uploaded(Log log, Path local, Path durable) throws Exception {
    QueuedTaskThread taskThread = new QueuedTaskThread();
    LiveCatalog uploader = LiveCatalog.start("job", log, kept(local, durable), "test", taskThread, "test", true);
    taskThread.runUntilSettled(uploader);
    manifestIn(durable);
    return uploader;
  }

  static ItemCatalog.Retrieval kept(Path local, Path durable) {
    return new ItemCatalog.Retrieval(100, 16, 100, 100, 16, local.toString(), durable.toUri().toString());
  }

  @Test
  void shouldHoldAnUpdateEveryInstanceReceivesDuringTheLoadOnce() throws Exception {
    Log log = items(10);
    CountDownLatch loading = log.holdLoads();
    List<QueuedTaskThread> threads = List.of(new QueuedTaskThread(), new QueuedTaskThread(), new QueuedTaskThread());
    List<LiveCatalog> instances = new ArrayList<>();
    for (int i = 0; i < threads.size(); i++) {
      instances.add(LiveCatalog.start("job", log, ItemCatalog.Retrieval.EXACT, "subtask-" + i, threads.get(i), "scorer " + i, false));
    }
    try {
      for (LiveCatalog instance : instances) { // the broadcast gives each instance every update
        assertThat(instance.apply(new CatalogUpdate("new", new float[] {0, 0, 1, 1}, 0, 10))).isTrue();
        assertThat(instance.apply(new CatalogUpdate("item-2", null, 0, 11))).isTrue();
      }
      assertThat(instances.get(0).heldUpdates()).as("held once, not once per instance").isEqualTo(2);

      loading.countDown();
      for (int i = 0; i < threads.size(); i++) {
        threads.get(i).runUntilSettled(instances.get(i));
      }
      assertThat(instances.get(2).heldUpdates()).isZero();
      assertThat(instances.get(2).catalog().indexOf("new")).isNotNegative();
      assertThat(instances.get(2).catalog().indexOf("item-2")).isNegative();
    } finally {
      for (LiveCatalog instance : instances) {
        instance.close();
      }
    }
  }

  @Test
  void shouldHoldUpdatesWhileLoadingAndSearchExactlyWhileTheIndexBuilds() throws Exception {
    Log log = items(300);
    CountDownLatch loading = log.holdLoads();
    QueuedTaskThread mailbox = new QueuedTaskThread();
    try (LiveCatalog live = LiveCatalog.start("job", log, new ItemCatalog.Retrieval(100, 16, 100, 100, 16, "", ""), "test", mailbox, "test", false)) {
      assertThat(live.loaded()).isFalse();
      assertThat(live.apply(new CatalogUpdate("early", new float[] {1, 0, 0, 0}, 0, 300))).as("held").isTrue();
      assertThat(live.apply(new CatalogUpdate("item-3", null, 0, 2))).as("held, then covered by the load").isTrue();
      loading.countDown();

      mailbox.runNext();
      assertThat(mailbox.descriptions).containsExactly("catalog loaded");
      ItemCatalog catalog = live.catalog();
      assertThat(catalog.indexOf("early")).isNotNegative();
      assertThat(catalog.indexOf("item-3")).as("the load read past the held delete's offset").isNotNegative();
      assertThat(live.building()).isTrue();
      assertThat(catalog.approximate()).isFalse();
      live.apply(new CatalogUpdate("during-build", new float[] {0, 0, 1, 0}, 0, 301));
      live.apply(new CatalogUpdate("item-4", null, 0, 302));

      mailbox.runNext();
      assertThat(mailbox.descriptions).containsExactly("catalog loaded", "catalog index built");
      assertThat(catalog.approximate()).isTrue();
      assertThat(catalog.topK(org.nd4j.linalg.factory.Nd4j.create(new float[][] {{0, 0, 1, 0}}), 1, List.of(),
          ItemCatalog.Similarity.COSINE)[0].ids()).as("a change during the build reached the index").containsExactly("during-build");
      catalog.refresh();
      assertThat(catalog.topK(org.nd4j.linalg.factory.Nd4j.create(new float[][] {{0, 0, 1, 0}}), 300, List.of(),
          ItemCatalog.Similarity.COSINE)[0].ids()).doesNotContain("item-4").contains("during-build", "early");
    }
  }

  @Test
  void shouldBuildInATemporaryDirectoryWhenTheKeptOneCannotHoldTheIndex(@TempDir Path dir) throws Exception {
    Path inTheWay = dir.resolve("file");
    Files.writeString(inTheWay, "not a directory");
    QueuedTaskThread mailbox = new QueuedTaskThread();
    try (LiveCatalog live = LiveCatalog.start("job", items(300), new ItemCatalog.Retrieval(100, 16, 100, 100, 16,
        inTheWay.resolve("index").toString(), ""), "test", mailbox, "test", false)) {
      mailbox.runNext();
      mailbox.runNext();
      mailbox.runNext();
      assertThat(mailbox.descriptions).containsExactly("catalog loaded", "catalog index failed", "catalog index built");
      assertThat(live.catalog().approximate()).isTrue();
    }
  }

  /** Items of a dimension Lucene cannot index (it allows at most 1,024). */
  record TooWide(int size) implements CatalogLoader {
    @Override
    public int dimension() {
      return 2_000;
    }

    @Override
    public String source() {
      return null;
    }

    @Override
    public Map<Integer, Long> loadInto(ItemCatalog catalog, Map<Integer, Long> from) {
      SplittableRandom r = new SplittableRandom(1);
      for (int i = 0; i < size; i++) {
        float[] e = new float[2_000];
        for (int j = 0; j < e.length; j++) {
          e[j] = (float) r.nextGaussian();
        }
        catalog.upsert("wide-" + i, e);
      }
      return Map.of();
    }
  }

  @Test
  void shouldGoOnSearchingExactlyWhenTheIndexCannotBeBuilt() throws Exception {
    QueuedTaskThread mailbox = new QueuedTaskThread();
    try (LiveCatalog live = LiveCatalog.start("job", new TooWide(150), new ItemCatalog.Retrieval(100, 16, 100, 100, 16, "", ""), "test", mailbox, "test", false)) {
      mailbox.runNext();
      mailbox.runNext();
      assertThat(mailbox.descriptions).containsExactly("catalog loaded", "catalog index failed");
      float[] e = new float[2_000];
      e[7] = 1;
      live.apply(new CatalogUpdate("new", e, 0, 0));
      assertThat(live.building()).as("no second attempt").isFalse();
      assertThat(live.catalog().approximate()).isFalse();
      assertThat(live.catalog().topK(org.nd4j.linalg.factory.Nd4j.create(new float[][] {e}), 1, List.of(),
          ItemCatalog.Similarity.COSINE)[0].ids()).containsExactly("new");
    }
  }

  @Test
  void shouldFailTheTaskWhenTheLoadFails() throws Exception {
    CatalogLoader broken = new CatalogLoader() {
      @Override
      public int dimension() {
        return 4;
      }

      @Override
      public String source() {
        return "test-topic";
      }

      @Override
      public Map<Integer, Long> loadInto(ItemCatalog catalog, Map<Integer, Long> from) {
        throw new IllegalStateException("the topic is gone");
      }
    };
    QueuedTaskThread mailbox = new QueuedTaskThread();
    try (LiveCatalog live = LiveCatalog.start("job", broken, ItemCatalog.Retrieval.EXACT, "test", mailbox, "test", false)) {
      assertThatThrownBy(mailbox::runNext).hasMessageContaining("cannot load the catalog from test-topic")
          .hasRootCauseMessage("the topic is gone");
      assertThat(live.loaded()).isFalse();
    }
  }

  @Test
  void shouldFailEveryInstanceWhenAnUpdateHeldDuringTheLoadCannotBeApplied() throws Exception {
    Log log = items(10);
    CountDownLatch loading = log.holdLoads();
    QueuedTaskThread scorer = new QueuedTaskThread();
    QueuedTaskThread encoder = new QueuedTaskThread();
    try (LiveCatalog first = LiveCatalog.start("job", log, ItemCatalog.Retrieval.EXACT, "subtask-0", scorer, "scorer 0", false);
        LiveCatalog second = LiveCatalog.start("job", log, ItemCatalog.Retrieval.EXACT, "subtask-1", encoder, "encoder 1", false)) {
      first.apply(new CatalogUpdate("too-long", new float[] {1, 0, 0, 0, 0}, 0, 10));
      loading.countDown();
      assertThatThrownBy(scorer::runNext).hasMessageContaining("cannot load the catalog from test-topic")
          .hasRootCauseMessage("item too-long has dimension 5, expected 4");
      assertThatThrownBy(encoder::runNext).hasMessageContaining("cannot load the catalog from test-topic");
      assertThat(first.loaded()).isFalse();
    }
    try (LiveCatalog again = loaded(log, ItemCatalog.Retrieval.EXACT)) {
      assertThat(again.catalog().size()).as("the next instance loads anew").isEqualTo(10);
    }
  }

  @Test
  void shouldHandABuiltIndexToAnotherInstanceWhenTheOneItWentToClosesWithoutRunningIt(@TempDir Path dir) throws Exception {
    Log log = items(300);
    ItemCatalog.Retrieval retrieval = kept(dir.resolve("local"), dir.resolve("durable"));
    QueuedTaskThread cancelled = new QueuedTaskThread();
    QueuedTaskThread other = new QueuedTaskThread();
    LiveCatalog first = LiveCatalog.start("job", log, retrieval, "subtask-0", cancelled, "scorer 0", false);
    try (LiveCatalog second = LiveCatalog.start("job", log, retrieval, "subtask-1", other, "scorer 1", false)) {
      cancelled.runNext();
      other.runNext();
      assertThat(cancelled.waitForMail()).as("the built index, handed to the first instance").isEqualTo("catalog index built");
      first.close(); // its task is cancelled: the mail is never run
      other.runNext();
      assertThat(other.descriptions).containsExactly("catalog loaded", "catalog index built");
      assertThat(second.catalog().approximate()).isTrue();
    }
    try (LiveCatalog reopened = loaded(log, retrieval)) {
      assertThat(reopened.indexBuilds()).as("the kept index was committed and its directory released").isZero();
    }
  }

  @Test
  void shouldReleaseABuiltIndexWhenTheLastInstanceClosesWithoutTakingItOver(@TempDir Path dir) throws Exception {
    QueuedTaskThread cancelled = new QueuedTaskThread();
    LiveCatalog only = LiveCatalog.start("job", items(300), kept(dir.resolve("local"), dir.resolve("durable")), "subtask-0", cancelled,
        "scorer 0", false);
    cancelled.runNext();
    assertThat(cancelled.waitForMail()).isEqualTo("catalog index built");
    only.close();
    try (var files = Files.walk(dir.resolve("local"))) {
      List<Path> locked = files.filter(f -> f.getFileName().toString().equals(IndexWriter.WRITE_LOCK_NAME)).toList();
      assertThat(locked).as("the build wrote its index there").isNotEmpty();
      for (Path lockFile : locked) {
        try (Directory index = FSDirectory.open(lockFile.getParent()); Lock lock = index.obtainLock(IndexWriter.WRITE_LOCK_NAME)) {
          lock.ensureValid(); // the built index's writer let its directory go
        }
      }
    }
  }

  static ItemRecord record(String key, String value) {
    return new ItemRecord(key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        value == null ? null : value.getBytes(StandardCharsets.UTF_8), 2, 7);
  }

  @Test
  void shouldTreatARecordThatIsNotAnItemAsTheDeleteOfTheItemItNames() {
    List<IllegalArgumentException> rejected = new ArrayList<>();
    CatalogUpdate wrong = CatalogUpdate.of(record("a", "{\"embedding\":[1,2,3]}"), 2, rejected::add);
    assertThat(wrong.isDelete()).as("as the topic will hold it once compaction drops the earlier records").isTrue();
    assertThat(wrong.itemId).isEqualTo("a");
    assertThat(wrong.offset).isEqualTo(7);
    assertThat(CatalogUpdate.of(record(null, "{}"), 2, rejected::add)).as("no id: nothing to delete").isNull();
    assertThat(CatalogUpdate.of(record("b", "{\"embedding\":[1,2]}"), 2, rejected::add).embedding).containsExactly(1f, 2f);
    assertThat(rejected).hasSize(2);
  }

  @Test
  void shouldDecodeUpsertsAndDeletesAndNameWhatIsWrongWithABadRecord() {
    CatalogUpdate upsert = CatalogUpdate.decode(record("a", "{\"itemId\":\"a\",\"embedding\":[1,2]}"), 2);
    assertThat(upsert.embedding).containsExactly(1f, 2f);
    assertThat(upsert.partition).isEqualTo(2);
    assertThat(upsert.offset).isEqualTo(7);
    assertThat(CatalogUpdate.decode(record("a", null), 2).isDelete()).isTrue();

    assertThatThrownBy(() -> CatalogUpdate.decode(record(null, "{}"), 2)).hasMessage("items topic partition 2 offset 7: no key (the key is the item id)");
    assertThatThrownBy(() -> CatalogUpdate.decode(record("a", "{\"embedding\":[1,2,3]}"), 2))
        .hasMessage("items topic partition 2 offset 7 (a): embedding of 3 numbers, the catalog's dimension is 2");
    assertThatThrownBy(() -> CatalogUpdate.decode(record("a", "{\"embedding\":[0,0]}"), 2)).hasMessageContaining("all zeros");
    assertThatThrownBy(() -> CatalogUpdate.decode(record("a", "{\"embedding\":[1,\"x\"]}"), 2)).hasMessageContaining("embedding[1]");
    assertThatThrownBy(() -> CatalogUpdate.decode(record("a", "not json"), 2)).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> CatalogUpdate.decode(record("a", "{\"itemId\":\"a\"}"), 2)).hasMessageContaining("no embedding array");
  }
}
