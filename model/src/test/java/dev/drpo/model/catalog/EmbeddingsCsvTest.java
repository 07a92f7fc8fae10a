package dev.drpo.model.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingsCsvTest {

  @Test
  void readsIdsAndVectorsAndNamesTheLineOfABadValue(@TempDir Path dir) throws Exception {
    Path good = Files.writeString(dir.resolve("items.csv"), "a,1,0\n\nb,0.5,-2\n");
    EmbeddingsCsv.Embeddings e = EmbeddingsCsv.read(good);
    assertThat(e.ids()).containsExactly("a", "b");
    assertThat(e.vectors()[1]).containsExactly(0.5f, -2f);

    Path bad = Files.writeString(dir.resolve("bad.csv"), "a,1,0\nb,x,1\n");
    assertThatThrownBy(() -> EmbeddingsCsv.read(bad)).hasMessageContaining("bad.csv:2: value 1 is not a number");
    Path ragged = Files.writeString(dir.resolve("ragged.csv"), "a,1,0\nb,1,2,3\n");
    assertThatThrownBy(() -> EmbeddingsCsv.read(ragged)).hasMessageContaining("ragged.csv:2: 3 values, the first line has 2");
  }
}
