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
 * {@code deadLetters.BAD_ITEM}) and changes no catalog. Keeps no state.
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
    try {
      out.collect(CatalogUpdate.decode(record, dimension));
      decoded.inc();
    } catch (IllegalArgumentException e) {
      rejected.inc();
      byte[] raw = record.value != null ? record.value : record.key != null ? record.key : new byte[0];
      ctx.output(DEAD_LETTERS, new DeadLetter(raw, Reason.BAD_ITEM, e.getMessage(), "items", System.currentTimeMillis()));
    }
  }
}
