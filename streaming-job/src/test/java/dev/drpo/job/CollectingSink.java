package dev.drpo.job;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** A sink that keeps what it receives in this JVM (a MiniCluster runs in the test's JVM). */
final class CollectingSink<T> implements Sink<T> {
  private static final Map<String, Queue<Object>> RECEIVED = new ConcurrentHashMap<>();
  private final String id = UUID.randomUUID().toString();

  CollectingSink() {
    RECEIVED.put(id, new ConcurrentLinkedQueue<>());
  }

  @SuppressWarnings("unchecked")
  List<T> received() {
    return RECEIVED.get(id).stream().map(o -> (T) o).toList();
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    Queue<Object> into = RECEIVED.get(id);
    return new SinkWriter<>() {
      @Override
      public void write(T element, Context ctx) {
        into.add(element);
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }
}
