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
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Builds each admitted sample's state s_t with the model's {@link StateEncoder} (user features,
 * then the reward-weighted mean embedding of the session's earlier steps): the same encoder the
 * scorer uses. Its action a_t is the logged item's embedding; a sample whose item is not in the
 * catalog cannot be learned from and goes to {@link #UNKNOWN_ITEMS} as a dead letter (counter
 * {@code deadLetters.UNKNOWN_ITEM}): a sample whose item arrives later than the sample, or was
 * deleted before it, is not held back. Keeps no state: each instance loads the catalog in open()
 * and follows the catalog updates (input 2, broadcast), as the scorer does ({@link LiveCatalog}).
 */
public class TrainingStateEncoder extends CoProcessFunction<TrainingSample, CatalogUpdate, TrainingSample> {
  public static final OutputTag<DeadLetter> UNKNOWN_ITEMS = new OutputTag<>("unknown-items") {};

  private final CatalogLoader catalogLoader;
  private final int featureDim;
  private final int historyLength;
  private transient LiveCatalog live;
  private transient ItemCatalog catalog;
  private transient StateEncoder encoder;
  private transient Counter unknown;

  public TrainingStateEncoder(CatalogLoader catalogLoader, int featureDim, int historyLength) {
    this.catalogLoader = catalogLoader;
    this.featureDim = featureDim;
    this.historyLength = historyLength;
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    live = LiveCatalog.load(catalogLoader, ItemCatalog.Retrieval.EXACT); // never searched: embeddings only
    catalog = live.catalog();
    encoder = new StateEncoder(featureDim, catalog.dimension(), historyLength);
    unknown = getRuntimeContext().getMetricGroup().counter("deadLetters." + Reason.UNKNOWN_ITEM);
  }

  @Override
  public void processElement1(TrainingSample admitted, Context ctx, Collector<TrainingSample> out) {
    QualitySample sample = admitted.sample;
    int item = catalog.indexOf(sample.itemId);
    if (item < 0) {
      unknown.inc();
      ctx.output(UNKNOWN_ITEMS, new DeadLetter(sample.toString().getBytes(StandardCharsets.UTF_8), Reason.UNKNOWN_ITEM,
          "item " + sample.itemId + " is not in the catalog", "training-samples", System.currentTimeMillis()));
      return;
    }
    List<Interaction> history = new ArrayList<>(sample.historyItems.length);
    for (int i = 0; i < sample.historyItems.length; i++) {
      history.add(new Interaction(sample.historyItems[i], sample.historyRewards[i]));
    }
    admitted.state = encoder.encode(featureDim == 0 ? null : sample.userFeatures, history, catalog);
    admitted.action = catalog.embedding(item);
    out.collect(admitted);
  }

  @Override
  public void processElement2(CatalogUpdate update, Context ctx, Collector<TrainingSample> out) {
    live.apply(update);
  }

  @Override
  public void close() {
    if (live != null) {
      live.close();
    }
  }
}
