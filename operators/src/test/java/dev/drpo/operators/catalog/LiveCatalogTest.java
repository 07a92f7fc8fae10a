package dev.drpo.operators.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drpo.model.catalog.ItemCatalog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveCatalogTest {

  /** An items topic of one partition, in memory: record i is at offset i. */
  record Log(String source, List<CatalogUpdate> records, AtomicInteger read) implements CatalogLoader {
    Log(String source) {
      this(source, new ArrayList<>(), new AtomicInteger());
    }

    void append(String id, float[] embedding) {
      records.add(new CatalogUpdate(id, embedding, 0, records.size()));
    }

    @Override
    public int dimension() {
      return 4;
    }

    @Override
    public Map<Integer, Long> loadInto(ItemCatalog catalog, Map<Integer, Long> from) {
      for (CatalogUpdate u : records.subList(from.getOrDefault(0, 0L).intValue(), records.size())) {
        read.incrementAndGet();
        u.applyTo(catalog);
      }
      return Map.of(0, (long) records.size());
    }
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
    try (LiveCatalog live = LiveCatalog.load(log, ItemCatalog.Retrieval.EXACT)) {
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
  void shouldReopenAKeptIndexAndReadTheTopicOnlyFromWhereItsCommitEnds(@TempDir Path dir) throws Exception {
    ItemCatalog.Retrieval kept = new ItemCatalog.Retrieval(100, 16, 100, 100, 16, dir.toString());
    Log log = items(300);
    try (LiveCatalog first = LiveCatalog.load(log, kept)) {
      assertThat(first.catalog().approximate()).isTrue();
      log.append("new-1", new float[] {1, 0, 0, 0});
      first.apply(log.records().get(300));
      log.append("item-5", null);
      first.apply(log.records().get(301));
    } // closing commits what was applied
    log.append("new-2", new float[] {0, 1, 0, 0}); // while no instance runs
    log.append("item-6", null);
    log.read().set(0);

    try (LiveCatalog second = LiveCatalog.load(log, kept)) {
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
    try (LiveCatalog rebuilt = LiveCatalog.load(new Log("another-topic", another.records(), another.read()), kept)) {
      assertThat(another.read().get()).as("an index kept for another topic is built again").isEqualTo(300);
      assertThat(rebuilt.catalog().indexOf("new-1")).isEqualTo(-1);
    }
  }

  static ItemRecord record(String key, String value) {
    return new ItemRecord(key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        value == null ? null : value.getBytes(StandardCharsets.UTF_8), 2, 7);
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
