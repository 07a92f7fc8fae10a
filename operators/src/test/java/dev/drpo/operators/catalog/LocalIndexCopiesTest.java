package dev.drpo.operators.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.model.catalog.ItemCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalIndexCopiesTest {
  static final Predicate<Map<String, String>> FROM_OUR_TOPIC = data -> "our-topic".equals(data.get("source"));

  static ItemCatalog.Retrieval keptIn(Path dir) {
    return new ItemCatalog.Retrieval(1, 16, 100, 10, 16, dir.toString(), "");
  }

  /** A catalog of {@code n} items with its index built and committed in {@code dir}, with {@code source}; still open. */
  static ItemCatalog committed(Path dir, String source, int n) {
    ItemCatalog catalog = new ItemCatalog(4, keptIn(dir));
    SplittableRandom r = new SplittableRandom(n);
    for (int i = 0; i < n; i++) {
      catalog.upsert("item-" + i, new float[] {(float) r.nextGaussian(), (float) r.nextGaussian(), 1, 0});
    }
    catalog.buildIndex();
    catalog.keptIndex().commit(Map.of("source", source)).close();
    return catalog;
  }

  @Test
  void shouldReuseATrustedCopyNobodyHoldsAndRemoveTheOthersButLeaveHeldOnesAlone(@TempDir Path dir) throws Exception {
    Path job = dir.resolve("drpo");
    committed(job.resolve("subtask-1"), "our-topic", 30).close();
    committed(job.resolve("subtask-2"), "another-topic", 20).close();
    try (ItemCatalog held = committed(job.resolve("subtask-3"), "our-topic", 10)) {
      Path own = job.resolve("subtask-0");

      LocalIndexCopies.claim(own, FROM_OUR_TOPIC);

      assertThat(ItemCatalog.committed(own)).containsEntry("source", "our-topic");
      try (ItemCatalog reopened = ItemCatalog.reopen(4, keptIn(own))) {
        assertThat(reopened.size()).as("the trusted copy, moved").isEqualTo(30);
      }
      assertThat(job.resolve("subtask-1")).doesNotExist();
      assertThat(job.resolve("subtask-2")).as("not trusted: removed").doesNotExist();
      assertThat(ItemCatalog.committed(job.resolve("subtask-3"))).as("held by an open catalog").containsEntry("source", "our-topic");
      assertThat(held.size()).isEqualTo(10);
    }
  }

  @Test
  void shouldRemoveEveryCopyNobodyHoldsWhenItsOwnIsTrusted(@TempDir Path dir) throws Exception {
    Path job = dir.resolve("drpo");
    Path own = job.resolve("subtask-0");
    committed(own, "our-topic", 40).close();
    committed(job.resolve("subtask-1"), "our-topic", 30).close();

    LocalIndexCopies.claim(own, FROM_OUR_TOPIC);

    try (ItemCatalog reopened = ItemCatalog.reopen(4, keptIn(own))) {
      assertThat(reopened.size()).as("its own, kept").isEqualTo(40);
    }
    try (var left = Files.list(job)) {
      assertThat(left).containsExactly(own);
    }
  }
}
