package dev.drpo.operators.serve;

import dev.drpo.model.state.StateEncoder;
import dev.drpo.operators.catalog.CatalogLoader;
import dev.drpo.operators.catalog.LiveCatalog;
import java.util.List;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.YieldingOperator;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;

/**
 * Runs the {@link RecommendationScorer} and answers the requests waiting for their micro-batch
 * before every checkpoint barrier and when the request input ends; then it writes the users'
 * histories that changed to keyed state ({@link dev.drpo.operators.state.WriteBackCache}). So no checkpoint or savepoint
 * holds a waiting request (except while the catalog loads: then they wait in operator state, see
 * the scorer): a restore at any parallelism has none to strand, and none is answered twice (the
 * answers precede the barrier, so they belong to the checkpoint that follows them).
 * This is how Flink's own mini-batch operators finish a bundle ({@code prepareSnapshotPreBarrier}).
 * It also gives the scorer the task's mailbox, where the catalog's load and index build, which run
 * on another thread, hand their results over.
 *
 * <p>Wire it with {@code keyed.connect(servingUpdates.broadcast()).transform(...)}: the broadcast API's
 * {@code process} builds its own operator.
 */
public class ScorerOperator extends CoBroadcastWithKeyedOperator<String, UserInput, ServingUpdate, Recommendation>
    implements BoundedMultiInput, YieldingOperator<Recommendation> {
  private final RecommendationScorer scorer;
  private transient MailboxExecutor mailbox;
  private transient TimestampedCollector<Recommendation> answers;

  /**
   * The most the histories held between checkpoints take on the heap, per instance (for sizing
   * TaskManagers): about 96 bytes per interaction (its item id, reward and time) and 128 per user;
   * with softmax exploration also the latest answer (its state of 4 bytes per dimension, the ids it
   * excluded, about 200 bytes more).
   *
   * @param catalogDimension the items' embedding dimension (the state's history part has as many)
   */
  public static long maxHeapBytes(ScorerConfig config, int catalogDimension) {
    long answer = 0;
    if (config.exploration().mode() == Exploration.Mode.SOFTMAX) {
      int stateDim = new StateEncoder(config.userFeatureDim(), catalogDimension, config.historyLength()).stateDim();
      answer = 200L + 4L * stateDim + 64L * config.excludeRecent();
    }
    return RecommendationScorer.HELD_HISTORIES * (128L + 96L * config.capacity() + answer);
  }

  public ScorerOperator(ScorerConfig config, CatalogLoader catalog) {
    this(new RecommendationScorer(config, catalog));
  }

  private ScorerOperator(RecommendationScorer scorer) {
    super(scorer, List.of(RecommendationScorer.POLICIES));
    this.scorer = scorer;
  }

  @Override
  public void setMailboxExecutor(MailboxExecutor mailbox) {
    this.mailbox = mailbox;
    scorer.runOn(LiveCatalog.TaskThread.of(mailbox));
  }

  @Override
  public void open() throws Exception {
    scorer.runWith(this, deadline -> getProcessingTimeService().registerTimer(deadline, t -> scorer.deadlinePassed(deadline, answers)));
    super.open();
    answers = new TimestampedCollector<>(output);
    answers.eraseTimestamp();
    scorer.whenCatalogLoaded(() -> scorer.flush(answers)); // the requests that waited for it
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    scorer.flush(answers);
    scorer.writeBack();
  }

  @Override
  public void finish() throws Exception {
    super.finish();
    scorer.writeBack(); // a final checkpoint (bounded input) holds them too
  }

  /** Input 1 is the users' requests and interactions: at its end, waits for the catalog if need be and answers the rest. */
  @Override
  public void endInput(int inputId) throws InterruptedException {
    if (inputId == 1) {
      scorer.awaitCatalog(mailbox);
      scorer.flush(answers);
    }
  }
}
