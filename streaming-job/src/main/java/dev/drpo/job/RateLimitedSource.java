package dev.drpo.job;

import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimitedSourceReader;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A source read at most {@code recordsPerSecond} records a second over all its parallel readers:
 * any source, its readers wrapped in Flink's {@link RateLimitedSourceReader} (which waits for a
 * permit without blocking the task's mailbox, so checkpoints and timers go on). Splits, enumerator
 * and their state are the wrapped source's own, so a savepoint moves between limited and not.
 */
final class RateLimitedSource<T, S extends SourceSplit, E> implements Source<T, S, E> {
  private final Source<T, S, E> source;
  private final double recordsPerSecond;

  RateLimitedSource(Source<T, S, E> source, double recordsPerSecond) {
    this.source = source;
    this.recordsPerSecond = recordsPerSecond;
  }

  @Override
  public Boundedness getBoundedness() {
    return source.getBoundedness();
  }

  @Override
  public SourceReader<T, S> createReader(SourceReaderContext context) throws Exception {
    return new RateLimitedSourceReader<>(source.createReader(context),
        RateLimiterStrategy.<S>perSecond(recordsPerSecond).createRateLimiter(context.currentParallelism()));
  }

  @Override
  public SplitEnumerator<S, E> createEnumerator(SplitEnumeratorContext<S> context) throws Exception {
    return source.createEnumerator(context);
  }

  @Override
  public SplitEnumerator<S, E> restoreEnumerator(SplitEnumeratorContext<S> context, E checkpoint) throws Exception {
    return source.restoreEnumerator(context, checkpoint);
  }

  @Override
  public SimpleVersionedSerializer<S> getSplitSerializer() {
    return source.getSplitSerializer();
  }

  @Override
  public SimpleVersionedSerializer<E> getEnumeratorCheckpointSerializer() {
    return source.getEnumeratorCheckpointSerializer();
  }
}
