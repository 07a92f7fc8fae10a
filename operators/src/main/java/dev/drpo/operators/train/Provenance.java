package dev.drpo.operators.train;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.HdrHistogram.Histogram;

/**
 * What the samples trained on since the last policy version came from: their event times and the
 * times their interactions were appended to Kafka (-1 where unknown). Operator state of the trainer
 * (a POJO), so a version published after a restore still says what it learned from.
 */
public class Provenance {
  public long oldestEventTs = Long.MAX_VALUE;
  public long newestEventTs = Long.MIN_VALUE;
  /** Append times of the samples, in the order they were trained on; unknown ones are left out. */
  public long[] appendMs = new long[0];
  public int size;

  public Provenance() {}

  public void add(long eventTs, long appendTime) {
    oldestEventTs = Math.min(oldestEventTs, eventTs);
    newestEventTs = Math.max(newestEventTs, eventTs);
    if (appendTime < 0) {
      return;
    }
    if (size == appendMs.length) {
      appendMs = Arrays.copyOf(appendMs, Math.max(64, 2 * size));
    }
    appendMs[size++] = appendTime;
  }

  /** Stamps the version with this provenance; lags are measured to {@code publishedMs}. */
  public void stamp(PolicyVersion v, long publishedMs) {
    v.oldestEventTs = oldestEventTs == Long.MAX_VALUE ? -1 : oldestEventTs;
    v.newestEventTs = newestEventTs == Long.MIN_VALUE ? -1 : newestEventTs;
    v.oldestAppendMs = -1;
    v.newestAppendMs = -1;
    v.sampleLags = null;
    if (size == 0) {
      return;
    }
    Histogram lags = new Histogram(3_600_000L, 2);
    long oldest = Long.MAX_VALUE;
    long newest = Long.MIN_VALUE;
    for (int i = 0; i < size; i++) {
      oldest = Math.min(oldest, appendMs[i]);
      newest = Math.max(newest, appendMs[i]);
      lags.recordValue(Math.min(lags.getHighestTrackableValue(), Math.max(0, publishedMs - appendMs[i])));
    }
    v.oldestAppendMs = oldest;
    v.newestAppendMs = newest;
    ByteBuffer buffer = ByteBuffer.allocate(lags.getNeededByteBufferCapacity());
    int length = lags.encodeIntoCompressedByteBuffer(buffer);
    v.sampleLags = Arrays.copyOf(buffer.array(), length);
  }

  /** The lags a version carries ({@link PolicyVersion#sampleLags}), decoded. */
  public static Histogram lags(byte[] encoded) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(encoded), 0);
    } catch (java.util.zip.DataFormatException e) {
      throw new IllegalArgumentException("not an encoded histogram of sample lags", e);
    }
  }
}
