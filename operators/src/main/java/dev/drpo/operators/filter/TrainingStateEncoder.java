package dev.drpo.operators.filter;

import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.model.state.StateEncoder;
import dev.drpo.model.state.StateEncoder.Interaction;
import dev.drpo.operators.catalog.CatalogLoader;
import dev.drpo.operators.catalog.CatalogUpdate;
import dev.drpo.operators.catalog.LiveCatalog;
import dev.drpo.operators.event.DeadLetter;
import dev.drpo.operators.event.DeadLetter.Reason;
import dev.drpo.operators.quality.QualitySample;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.operators.YieldingOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Builds each admitted sample's state s_t with the model's {@link StateEncoder} (user features,
 * then the reward-weighted mean embedding of the session's earlier steps): the same encoder the
 * scorer uses. Its action a_t is the logged item's embedding; a sample whose item is not in the
 * catalog cannot be learned from and goes to {@link #DEAD_LETTERS} (counter
 * {@code deadLetters.UNKNOWN_ITEM}): a sample whose item arrives later than the sample, or was
 * deleted before it, is not held back.
 *
 * <p>Each instance shares its TaskManager's catalog with the scorers there ({@link LiveCatalog}:
 * loaded on another thread, following the catalog updates, input 2, broadcast); the task runs and
 * checkpoints meanwhile. Samples that arrive before the load completes wait in operator state (so
 * a checkpoint keeps them), at most {@link #MAX_WAITING}: more are dead-lettered
 * ({@code CATALOG_LOADING}, counted) rather than held in memory without bound; the waiting ones
 * are encoded when the load completes (a mail on the task's thread), or when the input ends.
 */
public class TrainingStateEncoder extends AbstractStreamOperator<TrainingSample>
    implements TwoInputStreamOperator<TrainingSample, CatalogUpdate, TrainingSample>, YieldingOperator<TrainingSample>,
    BoundedMultiInput {
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("encoder-dead-letters") {};
  public static final int MAX_WAITING = 100_000;
  static final ListStateDescriptor<TrainingSample> WAITING =
      new ListStateDescriptor<>("samples-waiting-for-the-catalog", TypeInformation.of(TrainingSample.class));

  private final CatalogLoader catalogLoader;
  private final ItemCatalog.Retrieval retrieval;
  private final int featureDim;
  private final int historyLength;
  private transient MailboxExecutor mailbox;
  private transient LiveCatalog live;
  private transient ItemCatalog catalog;
  private transient StateEncoder encoder;
  private transient ListState<TrainingSample> waitingState;
  private transient List<TrainingSample> waiting;
  private transient Counter unknown;
  private transient Counter overflow;

  /**
   * @param retrieval the scorers' retrieval settings: an encoder never searches, but shares its
   *     TaskManager's catalog with the scorers there ({@link LiveCatalog}), which must have them
   */
  public TrainingStateEncoder(CatalogLoader catalogLoader, ItemCatalog.Retrieval retrieval, int featureDim, int historyLength) {
    this.catalogLoader = catalogLoader;
    this.retrieval = retrieval;
    this.featureDim = featureDim;
    this.historyLength = historyLength;
  }

  @Override
  public void setMailboxExecutor(MailboxExecutor mailbox) {
    this.mailbox = mailbox;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    waitingState = context.getOperatorStateStore().getListState(WAITING);
    waiting = new ArrayList<>();
    waitingState.get().forEach(waiting::add);
  }

  @Override
  public void open() throws Exception {
    super.open();
    unknown = getMetricGroup().counter("deadLetters." + Reason.UNKNOWN_ITEM);
    overflow = getMetricGroup().counter("deadLetters." + Reason.CATALOG_LOADING);
    getMetricGroup().gauge("samplesWaitingForTheCatalog", () -> waiting.size());
    encoder = new StateEncoder(featureDim, catalogLoader.dimension(), historyLength);
    int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    // a catalog that is not shared (not read from a topic) is never searched here: embeddings only
    ItemCatalog.Retrieval own = catalogLoader.source() == null ? ItemCatalog.Retrieval.EXACT : retrieval;
    live = LiveCatalog.start(getRuntimeContext().getJobInfo().getJobId().toString(), catalogLoader, own, "subtask-" + subtask,
        LiveCatalog.TaskThread.of(mailbox), "encoder " + subtask, false);
    live.whenLoaded(() -> {
      catalog = live.catalog();
      encodeWaiting();
    });
  }

  @Override
  public void processElement1(StreamRecord<TrainingSample> record) {
    if (catalog != null) {
      encode(record.getValue());
    } else if (waiting.size() < MAX_WAITING) {
      waiting.add(record.getValue());
    } else {
      overflow.inc();
      deadLetter(record.getValue(), Reason.CATALOG_LOADING, MAX_WAITING + " samples already wait for the catalog to load");
    }
  }

  @Override
  public void processElement2(StreamRecord<CatalogUpdate> record) {
    live.apply(record.getValue());
  }

  private void encodeWaiting() {
    waiting.forEach(this::encode);
    waiting.clear();
  }

  private void encode(TrainingSample admitted) {
    QualitySample sample = admitted.sample;
    float[] action = catalog.embedding(sample.itemId);
    if (action == null) {
      unknown.inc();
      deadLetter(admitted, Reason.UNKNOWN_ITEM, "item " + sample.itemId + " is not in the catalog");
      return;
    }
    List<Interaction> history = new ArrayList<>(sample.historyItems.length);
    for (int i = 0; i < sample.historyItems.length; i++) {
      history.add(new Interaction(sample.historyItems[i], sample.historyRewards[i]));
    }
    admitted.state = encoder.encode(featureDim == 0 ? null : sample.userFeatures, history, catalog);
    admitted.action = action;
    output.collect(new StreamRecord<>(admitted));
  }

  private void deadLetter(TrainingSample admitted, Reason reason, String why) {
    output.collect(DEAD_LETTERS, new StreamRecord<>(new DeadLetter(admitted.sample.toString().getBytes(StandardCharsets.UTF_8),
        reason, why, "training-samples", System.currentTimeMillis())));
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    waitingState.update(waiting);
  }

  /** At the end of the samples, waits for the catalog and encodes the samples still waiting (bounded inputs). */
  @Override
  public void endInput(int inputId) throws Exception {
    if (inputId == 1) {
      live.awaitLoaded(mailbox); // its mail encodes the waiting samples
    }
  }

  @Override
  public void close() throws Exception {
    try {
      if (live != null) {
        live.close();
      }
    } finally {
      super.close();
    }
  }
}
