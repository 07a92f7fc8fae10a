package dev.drpo.operators.filter;

import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.model.state.StateEncoder;
import dev.drpo.model.state.StateEncoder.Interaction;
import dev.drpo.operators.quality.QualitySample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Builds each admitted sample's state s_t with the model's {@link StateEncoder} (user features,
 * then the reward-weighted mean embedding of the session's earlier steps): the same encoder the
 * scorer uses. Keeps no state; the catalog is built once per instance in open().
 */
public class TrainingStateEncoder extends RichMapFunction<TrainingSample, TrainingSample> {
  private final String[] itemIds;
  private final float[][] embeddings;
  private final int featureDim;
  private final int historyLength;
  private transient ItemCatalog catalog;
  private transient StateEncoder encoder;

  public TrainingStateEncoder(List<String> itemIds, float[][] embeddings, int featureDim, int historyLength) {
    this.itemIds = itemIds.toArray(String[]::new);
    this.embeddings = embeddings;
    this.featureDim = featureDim;
    this.historyLength = historyLength;
  }

  @Override
  public void open(OpenContext openContext) {
    catalog = new ItemCatalog(Arrays.asList(itemIds), embeddings);
    encoder = new StateEncoder(featureDim, catalog.dimension(), historyLength);
  }

  @Override
  public TrainingSample map(TrainingSample admitted) {
    QualitySample sample = admitted.sample;
    List<Interaction> history = new ArrayList<>(sample.historyItems.length);
    for (int i = 0; i < sample.historyItems.length; i++) {
      history.add(new Interaction(sample.historyItems[i], sample.historyRewards[i]));
    }
    admitted.state = encoder.encode(featureDim == 0 ? null : sample.userFeatures, history, catalog);
    return admitted;
  }
}
