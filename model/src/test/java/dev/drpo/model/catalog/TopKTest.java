package dev.drpo.model.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopKTest {

  @Test
  void keepsTheBestByScoreThenLowerItemWhateverTheOrderOffered() {
    SplittableRandom r = new SplittableRandom(7);
    TopK top = new TopK();
    for (int round = 0; round < 200; round++) {
      int n = 1 + r.nextInt(300);
      int k = 1 + r.nextInt(20);
      float[] scores = new float[n];
      for (int i = 0; i < n; i++) {
        scores[i] = r.nextInt(10) / 4f; // many ties
      }
      int[] order = IntStream.range(0, n).boxed().sorted(Comparator.comparingInt(i -> r.nextInt())).mapToInt(i -> i).toArray();
      top.reset(k);
      for (int i : order) {
        if (top.admits(i, scores[i])) {
          top.offer(i, scores[i]);
        }
      }
      int[] expected = IntStream.range(0, n).boxed()
          .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i))
          .limit(k).mapToInt(i -> i).toArray();
      int[] items = new int[k];
      float[] kept = new float[k];
      int found = top.drainBestFirst(items, kept);
      assertThat(Arrays.copyOf(items, found)).containsExactly(expected);
      for (int j = 0; j < found; j++) {
        assertThat(kept[j]).isEqualTo(scores[expected[j]]);
      }
      assertThat(top.size()).isZero();
    }
  }

  @Test
  void aFullHeapAdmitsOnlyWhatBeatsItsWorst() {
    TopK top = new TopK().reset(2);
    top.offer(5, 1f);
    top.offer(3, 2f);
    assertThat(top.admits(9, 1f)).isFalse(); // tie with the worst, higher item
    assertThat(top.admits(4, 1f)).isTrue(); // tie with the worst, lower item
    assertThat(top.admits(9, 1.5f)).isTrue();
  }

  @Test
  void itsFloorIsTheWorstKeptScoreOnceFull() {
    TopK top = new TopK().reset(2);
    top.offer(1, 3f);
    assertThat(top.floor()).as("room left: anything enters").isEqualTo(Float.NEGATIVE_INFINITY);
    top.offer(2, 5f);
    assertThat(top.floor()).isEqualTo(3f);
    top.offer(3, 4f);
    assertThat(top.floor()).isEqualTo(4f);
  }
}
