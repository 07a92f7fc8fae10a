package dev.drpo.model.filter;

import java.lang.reflect.Field;
import java.util.Random;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.kll.KllSketch;

/**
 * KLL updates and merges that compact the same way every time. DataSketches' KLL draws its
 * compaction coin flips from one JVM-wide {@code java.util.Random} (the package-private static
 * {@code KllSketch.random}), so two runs over the same stream, or a job restored from a checkpoint,
 * would keep different items and compute different thresholds. Here every operation first re-seeds
 * that generator from the sketch's own state, under one lock: the result depends only on the sketch
 * and its input, whatever else the JVM's other operator instances are doing. If a DataSketches
 * upgrade renames the field, this class fails on first use with a message saying so.
 */
final class SeededKll {
  private static final Random RANDOM = kllRandom();

  private SeededKll() {}

  private static Random kllRandom() {
    try {
      Field f = KllSketch.class.getDeclaredField("random");
      f.setAccessible(true);
      return (Random) f.get(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("this DataSketches version has no KllSketch.random to seed; "
          + "RunningQuantile needs datasketches-java 6.2.0's KLL (see SeededKll)", e);
    }
  }

  static void update(KllDoublesSketch sketch, double value, long salt) {
    synchronized (RANDOM) {
      RANDOM.setSeed(salt * 0x9E3779B97F4A7C15L + sketch.getN());
      sketch.update(value);
    }
  }

  static void merge(KllDoublesSketch target, KllDoublesSketch source, long salt) {
    synchronized (RANDOM) {
      RANDOM.setSeed(salt * 0x9E3779B97F4A7C15L + target.getN() * 31 + source.getN());
      target.merge(source);
    }
  }
}
