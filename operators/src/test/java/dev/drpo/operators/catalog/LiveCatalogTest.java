package dev.drpo.operators.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drpo.model.catalog.ItemCatalog;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LiveCatalogTest {

  /** A catalog loaded from the items topic up to offset 10 of partition 0. */
  record LoadedUpToTen(CatalogItems items) implements CatalogLoader {
    @Override
    public int dimension() {
      return items.dimension();
    }

    @Override
    public Map<Integer, Long> loadInto(ItemCatalog catalog) {
      items.loadInto(catalog);
      return Map.of(0, 10L);
    }
  }

  static final CatalogItems AB = new CatalogItems(new String[] {"a", "b"}, new float[][] {{1, 0}, {0, 1}});

  @Test
  void shouldSkipWhatTheLoadCoveredSoAnOldRecordNeitherOverwritesNorResurrects() throws Exception {
    try (LiveCatalog live = LiveCatalog.load(new LoadedUpToTen(AB), ItemCatalog.Retrieval.EXACT)) {
      assertThat(live.apply(new CatalogUpdate("a", null, 0, 9))).isFalse();
      assertThat(live.apply(new CatalogUpdate("c", new float[] {1, 1}, 0, 3))).isFalse();
      assertThat(live.catalog().size()).isEqualTo(2);

      assertThat(live.apply(new CatalogUpdate("b", new float[] {-3, 0}, 0, 10))).isTrue();
      assertThat(live.apply(new CatalogUpdate("c", new float[] {1, 1}, 1, 0))).as("another partition").isTrue();
      assertThat(live.apply(new CatalogUpdate("a", null, 0, 11))).isTrue();
      assertThat(live.catalog().indexOf("a")).isEqualTo(-1);
      assertThat(live.catalog().embedding(live.catalog().indexOf("b"))).containsExactly(-1f, 0f);
      assertThat(live.catalog().size()).isEqualTo(2);
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
