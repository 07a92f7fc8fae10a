package dev.drpo.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.operators.catalog.CatalogItems;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuiltIndexesTest {
  static CatalogItems items(float first) {
    return new CatalogItems(new String[] {"item-0", "item-1"}, new float[][] {{first, 0}, {0, 1}});
  }

  @Test
  void shouldOfferAKeptIndexOnlyForTheItemsItWasBuiltFrom(@TempDir Path dir) throws Exception {
    BuiltIndexes kept = new BuiltIndexes(dir.resolve("kept"));
    Path built = Files.createDirectories(dir.resolve("built"));
    Files.writeString(built.resolve("segments_1"), "an index");
    kept.keep(items(1), 16, 100, built, 12.5);

    assertThat(kept.copyInto(items(1), 16, 100, dir.resolve("same"))).hasValue(12.5);
    assertThat(dir.resolve("same").resolve("segments_1")).hasContent("an index");
    assertThat(kept.copyInto(items(0.5f), 16, 100, dir.resolve("drawn-otherwise")))
        .as("as many items of the same dimension, other embeddings (another JDK's sampler)").isEmpty();
    assertThat(kept.copyInto(items(1), 32, 100, dir.resolve("other-graph"))).isEmpty();
  }
}
