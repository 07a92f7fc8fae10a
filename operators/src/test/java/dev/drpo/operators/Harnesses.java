package dev.drpo.operators;

import java.util.Arrays;
import java.util.Optional;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.assertj.core.api.recursive.comparison.RecursiveComparisonConfiguration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.YieldingOperator;
import org.apache.flink.streaming.runtime.tasks.StreamTaskActionExecutor;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.MailboxExecutorImpl;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.function.SerializableFunction;

/** Operator test harnesses on the RocksDB state backend, as the job runs them. */
public final class Harnesses {
  private Harnesses() {}

  /**
   * Keys that still hold any of these states: what a finished key leaves behind (works on
   * RocksDB). Pass the operator's own descriptors: a name the backend does not know counts nothing.
   */
  public static long keysWithState(KeyedOneInputStreamOperatorTestHarness<String, ?, ?> harness, StateDescriptor<?, ?>... states) {
    return keysWithState(harness.getOperator().getKeyedStateBackend(), states);
  }

  /** The same, for any keyed operator's state backend. */
  public static long keysWithState(KeyedStateBackend<String> backend, StateDescriptor<?, ?>... states) {
    return Arrays.stream(states)
        .flatMap(state -> backend.getKeys(state.getName(), VoidNamespace.INSTANCE))
        .distinct()
        .count();
  }

  /**
   * Gives the harness's operator its task's mailbox, as the runtime does for a
   * {@link YieldingOperator} (a harness built from an operator instance does not).
   */
  public static <H extends AbstractStreamOperatorTestHarness<?>> H withMailbox(H harness, YieldingOperator<?> operator) {
    operator.setMailboxExecutor(new MailboxExecutorImpl(harness.getTaskMailbox(), 0, StreamTaskActionExecutor.IMMEDIATE));
    return harness;
  }

  /**
   * Waits for the next mail another thread hands to the operator's task thread (e.g. a loaded
   * catalog) and runs it, as the task's mailbox loop would; fails after 30 s.
   *
   * @return the mail's description
   */
  public static String runNextMail(AbstractStreamOperatorTestHarness<?> harness) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      Optional<Mail> mail = harness.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY);
      if (mail.isPresent()) {
        mail.get().run();
        return mail.get().toString();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no mail reached the operator's task thread within 30 s");
      }
      Thread.sleep(1);
    }
  }

  /** Field-by-field equality in which NaN equals NaN. */
  public static RecursiveComparisonConfiguration fieldByField() {
    return RecursiveComparisonConfiguration.builder().withComparatorForType(Double::compare, Double.class).build();
  }

  /** An opened harness for a keyed process function, restored from {@code state} when not null. */
  public static <IN, OUT> KeyedOneInputStreamOperatorTestHarness<String, IN, OUT> keyed(
      KeyedProcessFunction<String, IN, OUT> function, SerializableFunction<IN, String> key, OperatorSubtaskState state)
      throws Exception {
    return keyed(new KeyedProcessOperator<>(function), key, state);
  }

  /** An opened harness for a keyed operator, restored from {@code state} when not null. */
  public static <IN, OUT> KeyedOneInputStreamOperatorTestHarness<String, IN, OUT> keyed(
      OneInputStreamOperator<IN, OUT> operator, SerializableFunction<IN, String> key, OperatorSubtaskState state) throws Exception {
    var harness = new KeyedOneInputStreamOperatorTestHarness<>(operator, key::apply, Types.STRING);
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    if (state != null) {
      harness.initializeState(state);
    }
    harness.open();
    return harness;
  }
}
