package dev.drpo.operators.quality;

/**
 * One candidate training sample before the hard filter: the logged step (item, when, which policy
 * served it), its quality, and what its state is built from (the user's features and the session's
 * earlier steps, oldest first, at most L of them).
 */
public class QualitySample {
  public String userId;
  public String cohort;
  public String itemId;
  public double quality;
  public long ts;
  public long policyVersion = -1;
  public float[] userFeatures;
  public String[] historyItems;
  public double[] historyRewards;

  public QualitySample() {}

  @Override
  public String toString() {
    return "QualitySample{" + userId + "/" + cohort + " " + itemId + " q=" + quality + " ts=" + ts + "}";
  }
}
