package dev.drpo.operators.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.model.catalog.ItemCatalog;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IndexCommitDataTest {
  private static final ItemCatalog.Retrieval GRAPH = new ItemCatalog.Retrieval(1_000, 32, 200, 120, 64, "/kept", "");
  private static final long ONE_HOUR_MS = 3_600_000L;

  private static CatalogLoader topic(String topicId) {
    return new CatalogLoader() {
      @Override
      public int dimension() {
        return 8;
      }

      @Override
      public String source() {
        return "kafka broker:9092 topic items";
      }

      @Override
      public Map<String, String> identity() {
        return Map.of("source", source(), "topic-id", topicId, TRUST_MS, String.valueOf(ONE_HOUR_MS));
      }

      @Override
      public Map<Integer, Long> loadInto(ItemCatalog catalog, Map<Integer, Long> from) {
        throw new UnsupportedOperationException("not read here");
      }
    };
  }

  @Test
  void shouldTrustACommitOfTheSameTopicAndGraphAndReadOnFromItsOffsets() throws Exception {
    Map<String, String> identity = IndexCommitData.identity(topic("id-1"), GRAPH);
    Map<String, String> committed = IndexCommitData.of(identity, Map.of(0, 120L, 1, 7L));

    assertThat(identity).containsEntry("dimension", "8").containsEntry("m", "32").containsEntry("beam-width", "200");
    assertThat(IndexCommitData.trusted(identity, committed, Map.of())).isTrue();
    assertThat(IndexCommitData.offsets(committed)).isEqualTo(Map.of(0, 120L, 1, 7L));
  }

  @Test
  void shouldTrustACommitOlderThanTheTrustWindowOfATopicNothingWasWrittenToSince() throws Exception {
    Map<String, String> identity = IndexCommitData.identity(topic("id-1"), GRAPH);
    Map<String, String> old = new HashMap<>(IndexCommitData.of(identity, Map.of(0, 120L, 1, 7L)));
    old.put(IndexCommitData.COMMITTED_AT, String.valueOf(System.currentTimeMillis() - 30 * 24 * ONE_HOUR_MS));

    assertThat(IndexCommitData.trusted(identity, old, Map.of(0, 120L, 1, 7L))).as("a quiet topic").isTrue();
    assertThat(IndexCommitData.trusted(identity, old, Map.of(0, 121L, 1, 7L))).as("written to since").isFalse();
    assertThat(IndexCommitData.trusted(identity, old, Map.of(0, 120L))).as("another partition count").isFalse();
    assertThat(IndexCommitData.trusted(identity, old, Map.of())).as("ends unknown").isFalse();
    Map<String, String> recreated = IndexCommitData.of(IndexCommitData.identity(topic("id-2"), GRAPH), Map.of(0, 120L, 1, 7L));
    assertThat(IndexCommitData.trusted(identity, recreated, Map.of(0, 120L, 1, 7L))).as("another topic, same offsets").isFalse();
    Map<String, String> expiring = new HashMap<>(identity);
    expiring.put(CatalogLoader.CLEANUP_POLICY, "compact,delete");
    Map<String, String> oldExpiring = new HashMap<>(IndexCommitData.of(expiring, Map.of(0, 120L, 1, 7L)));
    oldExpiring.put(IndexCommitData.COMMITTED_AT, String.valueOf(System.currentTimeMillis() - 30 * 24 * ONE_HOUR_MS));
    assertThat(IndexCommitData.trusted(expiring, oldExpiring, Map.of(0, 120L, 1, 7L))).as("records expire by time").isFalse();
  }

  @Test
  void shouldNotTrustACommitOfARecreatedTopicOtherGraphSettingsOrOlderThanTheTrustWindow() throws Exception {
    Map<String, String> identity = IndexCommitData.identity(topic("id-1"), GRAPH);

    Map<String, String> recreated = IndexCommitData.of(IndexCommitData.identity(topic("id-2"), GRAPH), Map.of(0, 1L));
    ItemCatalog.Retrieval otherGraph = new ItemCatalog.Retrieval(1_000, 16, 100, 120, 64, "/kept", "");
    Map<String, String> otherSettings = IndexCommitData.of(IndexCommitData.identity(topic("id-1"), otherGraph), Map.of(0, 1L));
    Map<String, String> old = new HashMap<>(IndexCommitData.of(identity, Map.of(0, 1L)));
    old.put(IndexCommitData.COMMITTED_AT, String.valueOf(System.currentTimeMillis() - 2 * ONE_HOUR_MS));

    assertThat(IndexCommitData.trusted(identity, recreated, Map.of())).isFalse();
    assertThat(IndexCommitData.trusted(identity, otherSettings, Map.of())).isFalse();
    assertThat(IndexCommitData.trusted(identity, old, Map.of())).isFalse();
    assertThat(IndexCommitData.trusted(identity, Map.of(), Map.of())).isFalse();
    assertThat(IndexCommitData.trusted(Map.of(), IndexCommitData.of(identity, Map.of()), Map.of())).as("nothing can be kept").isFalse();
  }
}
