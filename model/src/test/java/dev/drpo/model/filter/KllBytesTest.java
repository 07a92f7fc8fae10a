package dev.drpo.model.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.junit.jupiter.api.Test;

class KllBytesTest {
  /**
   * {@link #sketches()}, each as datasketches-java 6.2.0's {@code toByteArray()} wrote it on Java 17
   * (a count, then each sketch's length and bytes): what today's savepoints hold, read on every Java.
   */
  private static final String WRITTEN_BY_DATASKETCHES = "/kll-datasketches-6.2.0.bin";
  /**
   * Each of those sketches as 6.2.0's {@code heapify} read it, after 3,000 more updates (the i-th
   * with {@code new SplittableRandom(i).nextDouble()}, salt 3, through {@link SeededKll}), as its
   * {@code toByteArray()} wrote it on Java 17: how a restored sketch must go on.
   */
  private static final String READ_AND_UPDATED_BY_DATASKETCHES = "/kll-datasketches-6.2.0-after-3000-updates.bin";

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
    List<byte[]> written = resource(WRITTEN_BY_DATASKETCHES);
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
  void shouldGoOnExactlyAsTheSketchDataSketchesReads() throws IOException {
    List<byte[]> written = resource(WRITTEN_BY_DATASKETCHES);
    List<byte[]> updated = resource(READ_AND_UPDATED_BY_DATASKETCHES);
    assertThat(updated).hasSameSizeAs(written);
    for (int i = 0; i < written.size(); i++) {
      KllDoublesSketch ours = KllBytes.read(written.get(i));
      SplittableRandom r = new SplittableRandom(i);
      for (int j = 0; j < 3_000; j++) {
        SeededKll.update(ours, r.nextDouble(), 3);
      }
      assertThat(KllBytes.write(ours)).as("sketch %d read and updated", i).isEqualTo(updated.get(i));
    }
  }

  private static List<byte[]> resource(String name) throws IOException {
    List<byte[]> out = new ArrayList<>();
    try (InputStream resource = KllBytesTest.class.getResourceAsStream(name); DataInputStream in = new DataInputStream(resource)) {
      int count = in.readInt();
      for (int i = 0; i < count; i++) {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        out.add(bytes);
      }
    }
    return out;
  }

  @Test
  void shouldRefuseBytesThatAreNoKllSketch() {
    assertThatThrownBy(() -> KllBytes.read(new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 8 bytes");
    byte[] truncated = Arrays.copyOf(KllBytes.write(sketches().get(5)), 14);
    assertThatThrownBy(() -> KllBytes.read(truncated))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ends early");
    byte[] full = KllBytes.write(sketches().get(8));
    byte[] lastItemLost = Arrays.copyOf(full, full.length - Double.BYTES);
    assertThatThrownBy(() -> KllBytes.read(lastItemLost))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a consistent KLL sketch");
    byte[] otherFamily = KllBytes.write(sketches().get(5));
    otherFamily[2] = 7;
    assertThatThrownBy(() -> KllBytes.read(otherFamily))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("family 7");
  }
}
