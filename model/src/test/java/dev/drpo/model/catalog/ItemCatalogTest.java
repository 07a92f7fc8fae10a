package dev.drpo.model.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drpo.model.catalog.ItemCatalog.Ranking;
import dev.drpo.model.catalog.ItemCatalog.Similarity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class ItemCatalogTest {

  @Test
  void topKMatchesBruteForceForEveryQueryAndSimilarity() {
    SplittableRandom r = new SplittableRandom(1);
    ItemCatalog catalog = randomCatalog(500, 16, r);
    float[][] queries = new float[20][16];
    List<Set<String>> exclude = new ArrayList<>();
    for (int q = 0; q < queries.length; q++) {
      for (int j = 0; j < 16; j++) {
        queries[q][j] = (float) r.nextGaussian() * 3;
      }
      exclude.add(Set.of("item-" + r.nextInt(500), "item-" + r.nextInt(500)));
    }
    for (Similarity similarity : Similarity.values()) {
      Ranking[] rankings = catalog.topK(Nd4j.create(queries), 10, exclude, similarity);
      for (int q = 0; q < queries.length; q++) {
        float[] query = queries[q];
        Set<String> skip = exclude.get(q);
        double norm = similarity == Similarity.COSINE ? Math.sqrt(dot(query, query)) : 1;
        int[] expected = IntStream.range(0, 500).filter(i -> !skip.contains(catalog.id(i))).boxed()
            .sorted(Comparator.comparingDouble((Integer i) -> -dot(query, catalog.embedding(i))).thenComparingInt(i -> i))
            .limit(10).mapToInt(Integer::intValue).toArray();
        assertThat(rankings[q].indices()).containsExactly(expected);
        for (int j = 0; j < 10; j++) {
          assertThat((double) rankings[q].scores()[j]).isCloseTo(dot(query, catalog.embedding(expected[j])) / norm,
              org.assertj.core.api.Assertions.within(1e-4));
        }
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
