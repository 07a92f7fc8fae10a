package dev.drpo.model.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.junit.jupiter.api.Test;

class KllBytesTest {
  /**
   * {@link #sketches()}, each as datasketches-java 6.2.0's {@code toByteArray()} wrote it on Java 17
   * (a count, then each sketch's length and bytes): what today's savepoints hold, read on every Java.
   */
  private static final String WRITTEN_BY_DATASKETCHES = "/kll-datasketches-6.2.0.bin";

  /** Empty, one item, a few, one level full, many levels, at both k's in use, and merged ones. */
  static List<KllDoublesSketch> sketches() {
    List<KllDoublesSketch> out = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(11);
    for (int k : new int[] {8, 200}) {
      for (int n : new int[] {0, 1, 2, 3, k, k + 1, 250, 10_000, 100_000}) {
        KllDoublesSketch s = KllDoublesSketch.newHeapInstance(k);
        for (int i = 0; i < n; i++) {
          SeededKll.update(s, r.nextGaussian(), k);
        }
        out.add(s);
      }
      for (int parts = 1; parts <= 3; parts++) {
        KllDoublesSketch merged = KllDoublesSketch.newHeapInstance(k);
        for (int part = 0; part < parts; part++) {
          KllDoublesSketch s = KllDoublesSketch.newHeapInstance(k);
          SplittableRandom values = new SplittableRandom(part);
          for (int i = 0; i < 5_000 * (part + 1); i++) {
            SeededKll.update(s, values.nextDouble() * (part + 1), part);
          }
          SeededKll.merge(merged, s, part);
        }
        out.add(merged);
      }
    }
    return out;
  }

  @Test
  void shouldReadAndWriteTheSketchesOfTodaysSavepointsByteForByte() throws IOException {
    List<byte[]> written = new ArrayList<>();
    try (InputStream resource = KllBytesTest.class.getResourceAsStream(WRITTEN_BY_DATASKETCHES);
        DataInputStream in = new DataInputStream(resource)) {
      int count = in.readInt();
      for (int i = 0; i < count; i++) {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        written.add(bytes);
      }
    }
    List<KllDoublesSketch> sketches = sketches();
    assertThat(written).hasSameSizeAs(sketches);
    for (int i = 0; i < written.size(); i++) {
      KllDoublesSketch expected = sketches.get(i);
      assertThat(KllBytes.write(expected)).as("sketch %d written", i).isEqualTo(written.get(i));
      KllDoublesSketch read = KllBytes.read(written.get(i));
      assertThat(KllBytes.write(read)).as("sketch %d read and written again", i).isEqualTo(written.get(i));
      assertThat(read.getN()).isEqualTo(expected.getN());
      if (!expected.isEmpty()) {
        for (double rank : new double[] {0, 0.1, 0.5, 0.7, 0.99, 1}) {
          assertThat(read.getQuantile(rank)).as("sketch %d, rank %s", i, rank).isEqualTo(expected.getQuantile(rank));
        }
      }
    }
  }

  @Test
  void shouldGoOnExactlyAsTheSketchDataSketchesReads() {
    assumeTrue(Runtime.version().feature() <= 21, "datasketches-memory 3.0.2 loads on Java 8, 11, 17 and 21 only");
    SplittableRandom r = new SplittableRandom(12);
    for (KllDoublesSketch s : sketches()) {
      byte[] bytes = s.toByteArray();
      assertThat(KllBytes.write(s)).isEqualTo(bytes);
      KllDoublesSketch ours = KllBytes.read(bytes);
      KllDoublesSketch theirs = KllDoublesSketch.heapify(Memory.wrap(bytes));
      for (int i = 0; i < 3_000; i++) {
        double x = r.nextDouble();
        SeededKll.update(ours, x, 3);
        SeededKll.update(theirs, x, 3);
      }
      assertThat(KllBytes.write(ours)).isEqualTo(theirs.toByteArray());
    }
  }

  @Test
  void shouldRefuseBytesThatAreNoKllSketch() {
    assertThatThrownBy(() -> KllBytes.read(new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 8 bytes");
    byte[] otherFamily = KllBytes.write(sketches().get(5));
    otherFamily[2] = 7;
    assertThatThrownBy(() -> KllBytes.read(otherFamily))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("family 7");
  }
}
