package dev.drpo.model.state;

import dev.drpo.model.catalog.ItemCatalog;
import java.util.List;

/**
 * Builds the policy's state s, for the trainer and the scorer alike so the two can never disagree:
 * s = [user features (optional, fixed length) | history encoding], where the history encoding is
 * the reward-weighted mean of the unit embeddings of the user's last L interactions,
 * sum_i max(r_i, 0) e_i / sum_i max(r_i, 0). Items missing from the catalog are skipped; with no
 * positive reward left the encoding is the zero vector. Missing features are zeros. With L = 0
 * there is no history part: s is the user features alone (the paper's setting).
 */
public final class StateEncoder {

  /** One past interaction: which item, with what reward. */
  public record Interaction(String itemId, double reward) {}

  private final int featureDim;
  private final int embeddingDim;
  private final int historyLength;

  /**
   * @param featureDim length of the user-feature vector (0: no features)
   * @param embeddingDim item embedding dimension d
   * @param historyLength L, how many of the most recent interactions count (0: none, features only)
   */
  public StateEncoder(int featureDim, int embeddingDim, int historyLength) {
    if (featureDim < 0 || embeddingDim <= 0 || historyLength < 0 || featureDim + historyLength == 0) {
      throw new IllegalArgumentException("need featureDim >= 0, embeddingDim > 0, historyLength >= 0, and features or history");
    }
    this.featureDim = featureDim;
    this.embeddingDim = embeddingDim;
    this.historyLength = historyLength;
  }

  public int stateDim() {
    return featureDim + (historyLength > 0 ? embeddingDim : 0);
  }

  public int featureDim() {
    return featureDim;
  }

  public int historyLength() {
    return historyLength;
  }

  /**
   * @param features user features of length featureDim, or null
   * @param history interactions, oldest first; only the last L are used
   */
  public float[] encode(float[] features, List<Interaction> history, ItemCatalog catalog) {
    if (catalog.dimension() != embeddingDim) {
      throw new IllegalArgumentException("catalog dimension " + catalog.dimension() + " != encoder's " + embeddingDim);
    }
    float[] s = new float[stateDim()];
    if (features != null) {
      if (features.length != featureDim) {
        throw new IllegalArgumentException("user features have length " + features.length + ", expected " + featureDim);
      }
      System.arraycopy(features, 0, s, 0, featureDim);
    }
    if (historyLength == 0) {
      return s;
    }
    double[] sum = new double[embeddingDim];
    double total = 0;
    for (int h = Math.max(0, history.size() - historyLength); h < history.size(); h++) {
      Interaction step = history.get(h);
      double w = Math.max(step.reward(), 0);
      float[] e = w == 0 ? null : catalog.embedding(step.itemId());
      if (e == null) {
        continue;
      }
      for (int j = 0; j < embeddingDim; j++) {
        sum[j] += w * e[j];
      }
      total += w;
    }
    if (total > 0) {
      for (int j = 0; j < embeddingDim; j++) {
        s[featureDim + j] = (float) (sum[j] / total);
      }
    }
    return s;
  }
}
