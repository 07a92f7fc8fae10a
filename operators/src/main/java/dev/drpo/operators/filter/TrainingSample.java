package dev.drpo.operators.filter;

/**
 * A sample the hard filter admitted, with its weight: what the trainer learns from. {@code state}
 * is null until the {@link TrainingStateEncoder} builds s from the user's features and history.
 */
public class TrainingSample {
  public String userId;
  public String cohort;
  public String itemId;
  public double quality;
  public double weight;
  /** The filter's nu and kappa when it admitted the sample. */
  public double threshold;
  public double keepFraction;
  public long ts;
  public long policyVersion = -1;
  public float[] userFeatures;
  public String[] historyItems;
  public double[] historyRewards;
  public float[] state;

  public TrainingSample() {}

  @Override
  public String toString() {
    return "TrainingSample{" + userId + "/" + cohort + " " + itemId + " q=" + quality + " w=" + weight + " nu=" + threshold + "}";
  }
}
