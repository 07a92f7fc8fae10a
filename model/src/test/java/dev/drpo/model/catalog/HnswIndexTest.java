package dev.drpo.model.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HnswIndexTest {
  static float[] unit(SplittableRandom r, int d) {
    float[] v = ItemCatalogTest.gaussian(d, r);
    return ItemCatalog.unit("v", v, d);
  }

  @Test
  void shouldProposeTheBestNAcrossAllSegmentsAndMakeUpsertsSearchableWithoutTheCallerReopening() throws Exception {
    SplittableRandom r = new SplittableRandom(7);
    int d = 8;
    try (HnswIndex index = new HnswIndex(null, false, 16, 100, 16)) {
      for (int batch = 0; batch < 3; batch++) { // three bulk loads: three segments at least
        List<String> ids = new ArrayList<>();
        List<float[]> units = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          ids.add("item-" + batch + "-" + i);
          units.add(unit(r, d));
        }
        index.addAll(ids, units);
      }
      assertThat(index.segments()).isGreaterThanOrEqualTo(3);
      assertThat(index.candidates(unit(r, d), 10)).as("one top 10 overall, not 10 per segment").hasSize(10);

      float[] target = unit(r, d);
      index.upsert("new", target);
      float[] elsewhere = new float[d];
      for (int j = 0; j < d; j++) {
        elsewhere[j] = -target[j];
      }
      assertThat(index.candidates(elsewhere, 10)).as("proposed until a reopened searcher covers it").hasSize(11).contains("new");
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (index.candidates(elsewhere, 10).size() > 10 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(index.candidates(elsewhere, 10)).as("the reopen thread made it searchable").hasSize(10).doesNotContain("new");
      assertThat(index.candidates(target, 10)).as("found by the graph").contains("new");
    }
  }
}
