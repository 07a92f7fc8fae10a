package dev.drpo.operators.state;

import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * Runs a keyed function that holds its values on the heap ({@link WritesBack}) and has it write them
 * to keyed state before every checkpoint barrier, as Flink's own mini-batch operators finish a
 * bundle ({@code prepareSnapshotPreBarrier}), and when its input ends (a final checkpoint of a
 * bounded input holds them too). Wire it with {@code keyBy(...).transform(...)}.
 */
public class WriteBackOperator<IN, OUT, F extends KeyedProcessFunction<String, IN, OUT> & WritesBack>
    extends KeyedProcessOperator<String, IN, OUT> {
  private final F function;

  public WriteBackOperator(F function) {
    super(function);
    this.function = function;
  }

  @Override
  public void open() throws Exception {
    function.keysFrom(this);
    super.open();
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    function.writeBack();
  }

  @Override
  public void finish() throws Exception {
    super.finish();
    function.writeBack();
  }
}
