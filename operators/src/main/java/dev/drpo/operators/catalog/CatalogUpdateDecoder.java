package dev.drpo.operators.catalog;

import dev.drpo.operators.event.DeadLetter;
import dev.drpo.operators.event.DeadLetter.Reason;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes the items topic's records into {@link CatalogUpdate}s; a record that is not a valid item
 * goes to {@link #DEAD_LETTERS} with its reason ({@code BAD_ITEM}, counter
 * {@code deadLetters.BAD_ITEM}) and, if it names an item, deletes that item, as a load of the topic
 * does ({@link CatalogUpdate#of}). Keeps no state.
 */
public class CatalogUpdateDecoder extends ProcessFunction<ItemRecord, CatalogUpdate> {
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("bad-items") {};

  private final int dimension;
  private transient Counter rejected;
  private transient Counter decoded;

  public CatalogUpdateDecoder(int dimension) {
    this.dimension = dimension;
  }

  @Override
  public void open(OpenContext openContext) {
    rejected = getRuntimeContext().getMetricGroup().counter("deadLetters." + Reason.BAD_ITEM);
    decoded = getRuntimeContext().getMetricGroup().counter("catalogUpdatesDecoded");
  }

  @Override
  public void processElement(ItemRecord record, Context ctx, Collector<CatalogUpdate> out) {
    CatalogUpdate update = CatalogUpdate.of(record, dimension, e -> {
      rejected.inc();
      byte[] raw = record.value != null ? record.value : record.key != null ? record.key : new byte[0];
      ctx.output(DEAD_LETTERS, new DeadLetter(raw, Reason.BAD_ITEM, e.getMessage(), "items", System.currentTimeMillis()));
    });
    if (update != null) {
      out.collect(update);
      decoded.inc();
    }
  }
}
