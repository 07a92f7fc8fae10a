package dev.drpo.model.filter;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.DoublesSortedView;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * The streaming hard filter (docs/method.md section 7): the threshold nu is the (1 - kappa)-quantile of
 * quality over a recent horizon, not of one batch. The horizon is a ring of KLL sketches, one per
 * bucket of {@code bucketSize} samples ({@link Unit#COUNT}) or milliseconds of event time
 * ({@link Unit#TIME}); the newest {@code buckets} buckets are kept. Every {@code tickSamples}
 * samples a tick merges the buckets, runs the {@link KeepFractionController} on the horizon's
 * spreads (all vs above nu), and refreshes nu and the kept population's mean and spread.
 *
 * <p>Decisions: a sample is admitted when quality >= nu (with discrete qualities, ties at nu can
 * push the admitted share above kappa); before the first tick, which waits for {@code warmupSamples},
 * nothing is admitted (samples only fill the sketch); a sample whose time bucket has already left
 * the horizon is judged but not added. Sketch compaction is seeded from the sketch's own state
 * ({@link SeededKll}), so the same stream gives the same thresholds, also after a restore. State is
 * a versioned byte[] ({@link #toBytes}), so Flink never sees the sketch classes; each sketch in it is
 * in DataSketches' own serial form ({@link KllBytes}, which needs no datasketches-memory: that loads
 * on no Java above 21).
 */
public final class RunningQuantile implements HardFilter {
  private static final int FORMAT = 1;

  /** How a horizon bucket is measured. */
  public enum Unit {
    COUNT,
    TIME
  }

  /**
   * @param k KLL accuracy parameter (200: normalized rank error about 1.65% per query)
   * @param unit bucket unit
   * @param bucketSize samples or milliseconds per bucket
   * @param buckets buckets in the horizon
   * @param tickSamples samples between controller ticks
   * @param warmupSamples samples the horizon must hold before anything is admitted
   */
  public record Config(int k, Unit unit, long bucketSize, int buckets, int tickSamples, long warmupSamples)
      implements Serializable {
    public Config {
      if (k < 8 || bucketSize <= 0 || buckets <= 0 || tickSamples <= 0 || warmupSamples < 2) {
        throw new IllegalArgumentException("invalid running-quantile config: " + this);
      }
    }

    /** A horizon of `buckets` x `bucketSize` samples, ticking every `tick` samples. */
    public static Config count(long bucketSize, int buckets, int tick) {
      return new Config(200, Unit.COUNT, bucketSize, buckets, tick, Math.max(2, tick));
    }

    /** Normalized rank error of one quantile query on the merged horizon. */
    public double rankError() {
      return KllDoublesSketch.getNormalizedRankError(k, false);
    }
  }

  private final Config config;
  private final KeepFractionController controller;
  private final TreeMap<Long, KllDoublesSketch> buckets = new TreeMap<>();
  private long samples;
  private long samplesSinceTick;
  private long countBucket;
  private long countInBucket;
  private boolean ready;
  private double threshold = Double.NaN;
  private double keptMean = Double.NaN;
  private double keptStd = Double.NaN;

  public RunningQuantile(Config config, KeepFractionController controller) {
    this.config = config;
    this.controller = controller;
  }

  public Config config() {
    return config;
  }

  public KeepFractionController controller() {
    return controller;
  }

  /** Adds one sample, ticks if due, and tells whether it is admitted against the current threshold. */
  public boolean offer(double quality, long timestampMs) {
    add(quality, timestampMs);
    tickIfDue();
    return admits(quality);
  }

  /**
   * Every tickSamples samples: the counter restarts, and once the horizon holds warmupSamples the
   * controller steps and nu refreshes. So {@link #samplesSinceTick()} is 0 right after each tick.
   */
  private void tickIfDue() {
    if (samplesSinceTick >= config.tickSamples()) {
      samplesSinceTick = 0;
      if (horizonCount() >= config.warmupSamples()) {
        tick();
      }
    }
  }

  /** Samples added since the last tick (fewer than tickSamples). */
  public long samplesSinceTick() {
    return samplesSinceTick;
  }

  /**
   * Batch form for the learning benchmark (count horizon only): adds the whole batch, ticks if due,
   * then judges the batch against the refreshed threshold.
   */
  @Override
  public Admission admit(double[] quality) {
    if (config.unit() != Unit.COUNT) {
      throw new IllegalStateException("a time horizon needs timestamps: use offer(quality, timestampMs)");
    }
    for (double q : quality) {
      add(q, 0);
    }
    tickIfDue();
    if (!ready) {
      return Admission.none(controller.keepFraction());
    }
    int[] kept = IntStream.range(0, quality.length).filter(i -> admits(quality[i])).toArray();
    return new Admission(kept, threshold, keptMean, keptStd, controller.keepFraction());
  }

  public boolean admits(double quality) {
    return ready && quality >= threshold;
  }

  public boolean ready() {
    return ready;
  }

  public double threshold() {
    return threshold;
  }

  public double keptMean() {
    return keptMean;
  }

  public double keptStd() {
    return keptStd;
  }

  public double keepFraction() {
    return controller.keepFraction();
  }

  /** Samples offered so far. */
  public long samples() {
    return samples;
  }

  /** Samples currently inside the horizon. */
  public long horizonCount() {
    long n = 0;
    for (KllDoublesSketch s : buckets.values()) {
      n += s.getN();
    }
    return n;
  }

  /**
   * Adds one sample to the horizon without ticking or judging it (a tick that falls due waits for
   * the next {@link #offer}): for replaying the samples an earlier build's restored filter had taken
   * since its last saved tick (see {@link #samplesSinceTick()}).
   */
  public void add(double quality, long timestampMs) {
    if (!Double.isFinite(quality)) {
      throw new IllegalArgumentException("quality must be finite, got " + quality);
    }
    samples++;
    samplesSinceTick++;
    long bucket;
    if (config.unit() == Unit.COUNT) {
      if (countInBucket == config.bucketSize()) {
        countBucket++;
        countInBucket = 0;
      }
      countInBucket++;
      bucket = countBucket;
    } else {
      bucket = Math.floorDiv(timestampMs, config.bucketSize());
    }
    if (!buckets.isEmpty() && bucket <= buckets.lastKey() - config.buckets()) {
      return;
    }
    SeededKll.update(buckets.computeIfAbsent(bucket, b -> KllDoublesSketch.newHeapInstance(config.k())), quality, bucket);
    dropBucketsBeforeHorizon();
  }

  /** Keeps only the newest {@code buckets} bucket ids. */
  private void dropBucketsBeforeHorizon() {
    while (!buckets.isEmpty() && buckets.firstKey() <= buckets.lastKey() - config.buckets()) {
      buckets.pollFirstEntry();
    }
  }

  /** Merges the horizon, steps the controller, refreshes nu and the kept population's moments. */
  private void tick() {
    KllDoublesSketch merged = KllDoublesSketch.newHeapInstance(config.k());
    buckets.forEach((id, sketch) -> SeededKll.merge(merged, sketch, id));
    DoublesSortedView view = merged.getSortedView();
    double[] all = moments(view, Double.NEGATIVE_INFINITY);
    double[] kept = moments(view, quantile(merged, controller.keepFraction()));
    controller.update(kept[2], all[2]);
    threshold = quantile(merged, controller.keepFraction());
    kept = moments(view, threshold);
    keptMean = kept[1];
    keptStd = kept[2];
    ready = true;
  }

  private static double quantile(KllDoublesSketch sketch, double keepFraction) {
    return sketch.getQuantile(Math.max(0, 1 - keepFraction), QuantileSearchCriteria.INCLUSIVE);
  }

  /** {weight, mean, population std} of the sketch's items >= from. */
  private static double[] moments(DoublesSortedView view, double from) {
    double[] q = view.getQuantiles();
    long[] cumulative = view.getCumulativeWeights();
    double w = 0;
    double sum = 0;
    double sumSquares = 0;
    for (int i = 0; i < q.length; i++) {
      if (q[i] >= from) {
        double weight = cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
        w += weight;
        sum += weight * q[i];
        sumSquares += weight * q[i] * q[i];
      }
    }
    double mean = sum / w;
    return new double[] {w, mean, Math.sqrt(Math.max(0, sumSquares / w - mean * mean))};
  }

  /**
   * Folds another filter's horizon into this one, bucket by bucket (same config). Counters add up;
   * this filter's keep fraction is kept; thresholds refresh at the next tick.
   */
  public void merge(RunningQuantile other) {
    if (!config.equals(other.config)) {
      throw new IllegalArgumentException("cannot merge running quantiles with different configs");
    }
    for (Map.Entry<Long, KllDoublesSketch> e : other.buckets.entrySet()) {
      SeededKll.merge(buckets.computeIfAbsent(e.getKey(), b -> KllDoublesSketch.newHeapInstance(config.k())), e.getValue(), e.getKey());
    }
    dropBucketsBeforeHorizon();
    samples += other.samples;
    samplesSinceTick += other.samplesSinceTick;
    countBucket = Math.max(countBucket, other.countBucket);
  }

  /** Versioned bytes: format, keep fraction, counters, current threshold, then each bucket's sketch. */
  public byte[] toBytes() {
    byte[][] sketches = new byte[buckets.size()][];
    int size = 4 + 8 * 8 + 1 + 4;
    int i = 0;
    for (KllDoublesSketch s : buckets.values()) {
      sketches[i] = KllBytes.write(s);
      size += 8 + 4 + sketches[i++].length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.putInt(FORMAT);
    out.putDouble(controller.keepFraction());
    out.putLong(samples).putLong(samplesSinceTick).putLong(countBucket).putLong(countInBucket);
    out.put((byte) (ready ? 1 : 0));
    out.putDouble(threshold).putDouble(keptMean).putDouble(keptStd);
    out.putInt(sketches.length);
    i = 0;
    for (long id : buckets.keySet()) {
      out.putLong(id).putInt(sketches[i].length).put(sketches[i++]);
    }
    return out.array();
  }

  /** Restores {@link #toBytes} output under a (possibly changed) config and controller bounds. */
  public static RunningQuantile fromBytes(byte[] bytes, Config config, KeepFractionController controller) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int format = in.getInt();
    if (format != FORMAT) {
      throw new IllegalArgumentException("unknown running-quantile state format " + format + " (this build reads " + FORMAT + ")");
    }
    RunningQuantile r = new RunningQuantile(config, controller);
    controller.setKeepFraction(in.getDouble());
    r.samples = in.getLong();
    r.samplesSinceTick = in.getLong();
    r.countBucket = in.getLong();
    r.countInBucket = in.getLong();
    r.ready = in.get() == 1;
    r.threshold = in.getDouble();
    r.keptMean = in.getDouble();
    r.keptStd = in.getDouble();
    int n = in.getInt();
    for (int i = 0; i < n; i++) {
      long id = in.getLong();
      byte[] sketch = new byte[in.getInt()];
      in.get(sketch);
      r.buckets.put(id, KllBytes.read(sketch));
    }
    r.dropBucketsBeforeHorizon();
    return r;
  }
}
