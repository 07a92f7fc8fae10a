package dev.drpo.model.filter;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.kll.KllSketch;

/**
 * A KLL doubles sketch as bytes in DataSketches' compact serial form, byte for byte what
 * {@code KllDoublesSketch.toByteArray()} writes (and {@code heapify} reads), without
 * datasketches-memory. DataSketches 6.2.0 reads and writes that form only through
 * datasketches-memory 3.0.2, which refuses to load on any Java but 8, 11, 17 and 21 (on 25 every
 * hard-filter task failed at its first snapshot or restore, and the job restarted forever), and no
 * release of DataSketches runs on both 21 and 25 (7.0.1 needs Java 17's incubating foreign-memory
 * module, 8.0.0 Java 21's preview features, 9.x Java 25). The sketch itself is plain Java and runs
 * on all of them; only its serial form needed the memory library, so it is read and written here,
 * from the sketch's fields (as {@link SeededKll} reaches its random generator): savepoints written
 * by {@code toByteArray} are read, and what is written here reads back with {@code heapify}.
 *
 * <p>The form (little-endian): 8 bytes of preamble (preamble longs, serial version, family 15,
 * flags, k, m); an empty sketch ends there; a one-item sketch adds the item; otherwise n, min k,
 * the number of levels, each level's start but the last, min, max, and the retained items. If a
 * DataSketches upgrade renames a field, the first use fails with a message saying so.
 */
final class KllBytes {
  private static final byte FAMILY = 15;
  private static final int EMPTY = 1;
  private static final int LEVEL_ZERO_SORTED = 2;
  private static final int SINGLE_ITEM = 4;
  private static final int PREAMBLE = 8;
  private static final int FULL_PREAMBLE = 20;

  private static final Constructor<?> NEW_SKETCH;
  private static final Field LEVELS;
  private static final Field M;
  private static final Field N;
  private static final Field MIN_K;
  private static final Field SORTED;
  private static final Field MIN;
  private static final Field MAX;
  private static final Field ITEMS;

  static {
    try {
      Class<?> heap = Class.forName("org.apache.datasketches.kll.KllHeapDoublesSketch");
      NEW_SKETCH = heap.getDeclaredConstructor(int.class, int.class);
      NEW_SKETCH.setAccessible(true);
      LEVELS = field(KllSketch.class, "levelsArr");
      M = field(heap, "m");
      N = field(heap, "n");
      MIN_K = field(heap, "minK");
      SORTED = field(heap, "isLevelZeroSorted");
      MIN = field(heap, "minDoubleItem");
      MAX = field(heap, "maxDoubleItem");
      ITEMS = field(heap, "doubleItems");
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("this DataSketches version's KLL heap sketch has other fields; KllBytes reads and"
          + " writes datasketches-java 6.2.0's (see KllBytes)", e);
    }
  }

  private KllBytes() {}

  private static Field field(Class<?> type, String name) throws NoSuchFieldException {
    Field f = type.getDeclaredField(name);
    f.setAccessible(true);
    return f;
  }

  /** What {@code sketch.toByteArray()} returns (a sketch on the heap, as {@code newHeapInstance} makes). */
  static byte[] write(KllDoublesSketch sketch) {
    try {
      int k = sketch.getK();
      int m = M.getInt(sketch);
      int sortedFlag = SORTED.getBoolean(sketch) ? LEVEL_ZERO_SORTED : 0;
      if (sketch.isEmpty()) {
        return preamble(ByteBuffer.allocate(PREAMBLE), 2, 1, EMPTY | sortedFlag, k, m).array();
      }
      int[] levels = (int[]) LEVELS.get(sketch);
      double[] items = (double[]) ITEMS.get(sketch);
      if (sketch.getN() == 1) {
        ByteBuffer out = preamble(ByteBuffer.allocate(PREAMBLE + Double.BYTES), 2, 2, SINGLE_ITEM | sortedFlag, k, m);
        return out.putDouble(items[levels[0]]).array();
      }
      int numLevels = levels.length - 1;
      int retained = levels[numLevels] - levels[0];
      ByteBuffer out = preamble(ByteBuffer.allocate(FULL_PREAMBLE + numLevels * Integer.BYTES + (2 + retained) * Double.BYTES),
          5, 1, sortedFlag, k, m);
      out.putLong(sketch.getN()).putShort((short) MIN_K.getInt(sketch)).put((byte) numLevels).put((byte) 0);
      for (int i = 0; i < numLevels; i++) {
        out.putInt(levels[i]);
      }
      out.putDouble(MIN.getDouble(sketch)).putDouble(MAX.getDouble(sketch));
      for (int i = levels[0]; i < levels[numLevels]; i++) {
        out.putDouble(items[i]);
      }
      return out.array();
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot read the KLL sketch's fields", e);
    }
  }

  private static ByteBuffer preamble(ByteBuffer out, int preambleLongs, int serialVersion, int flags, int k, int m) {
    return out.order(ByteOrder.LITTLE_ENDIAN).put((byte) preambleLongs).put((byte) serialVersion).put(FAMILY).put((byte) flags)
        .putShort((short) k).put((byte) m).put((byte) 0);
  }

  /** The sketch {@code KllDoublesSketch.heapify} would make of {@code bytes} (a {@link #write} or {@code toByteArray}). */
  static KllDoublesSketch read(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < PREAMBLE) {
      throw new IllegalArgumentException("a KLL sketch needs at least " + PREAMBLE + " bytes, got " + bytes.length);
    }
    int preambleLongs = in.get();
    int serialVersion = in.get();
    int family = in.get();
    int flags = in.get() & 0xff;
    int k = in.getShort() & 0xffff;
    int m = in.get() & 0xff;
    in.get();
    boolean empty = (flags & EMPTY) != 0;
    boolean single = (flags & SINGLE_ITEM) != 0;
    boolean known = family == FAMILY && (empty ? preambleLongs == 2 && serialVersion == 1
        : single ? preambleLongs == 2 && serialVersion == 2 : preambleLongs == 5 && serialVersion == 1);
    if (!known) {
      throw new IllegalArgumentException(String.format("not a compact KLL doubles sketch (preamble %d, serial version %d,"
          + " family %d, flags %d)", preambleLongs, serialVersion, family, flags));
    }
    try {
      KllDoublesSketch sketch = (KllDoublesSketch) NEW_SKETCH.newInstance(k, m);
      SORTED.setBoolean(sketch, (flags & LEVEL_ZERO_SORTED) != 0);
      if (empty) {
        return sketch;
      }
      if (single) {
        double item = in.getDouble();
        double[] items = new double[k];
        items[k - 1] = item;
        fill(sketch, 1, k, new int[] {k - 1, k}, items, item, item);
        return sketch;
      }
      long n = in.getLong();
      int minK = in.getShort() & 0xffff;
      int numLevels = in.get() & 0xff;
      in.get();
      int[] levels = new int[numLevels + 1];
      for (int i = 0; i < numLevels; i++) {
        levels[i] = in.getInt();
      }
      double min = in.getDouble();
      double max = in.getDouble();
      int retained = in.remaining() / Double.BYTES;
      levels[numLevels] = levels[0] + retained;
      if (numLevels < 1 || in.remaining() % Double.BYTES != 0 || levels[0] < 0 || weight(levels) != n) {
        throw new IllegalArgumentException("not a consistent KLL sketch: " + numLevels + " levels starting at "
            + Arrays.toString(levels) + ", " + retained + " items, n " + n);
      }
      double[] items = new double[levels[numLevels]];
      in.asDoubleBuffer().get(items, levels[0], retained);
      fill(sketch, n, minK, levels, items, min, max);
      return sketch;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("a KLL sketch of " + bytes.length + " bytes ends early", e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot make a KLL sketch of its bytes", e);
    }
  }

  /** The items' total weight (an item at level h stands for 2^h): n in every sketch KLL compacted; -1 if levels go down. */
  private static long weight(int[] levels) {
    long total = 0;
    for (int h = 0; h + 1 < levels.length; h++) {
      int count = levels[h + 1] - levels[h];
      if (count < 0 || h > 62) {
        return -1;
      }
      total += (long) count << h;
    }
    return total;
  }

  private static void fill(KllDoublesSketch sketch, long n, int minK, int[] levels, double[] items, double min, double max)
      throws IllegalAccessException {
    LEVELS.set(sketch, levels);
    ITEMS.set(sketch, items);
    N.setLong(sketch, n);
    MIN_K.setInt(sketch, minK);
    MIN.setDouble(sketch, min);
    MAX.setDouble(sketch, max);
  }
}
