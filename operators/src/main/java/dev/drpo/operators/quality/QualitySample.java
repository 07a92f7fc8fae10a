package dev.drpo.operators.quality;

/**
 * One candidate training sample before the hard filter: the logged step (item, when it happened and
 * was appended to Kafka, which policy served it), its quality, and what its state is built from
 * (the user's features and the session's earlier steps, oldest first, at most L of them). The
 * propensity (NaN: unknown) and explored flag are the interaction's, as the scorer's answer gave them.
 */
public class QualitySample {
  public String userId;
  public String cohort;
  public String itemId;
  public double quality;
  /** Event time, epoch ms. */
  public long ts;
  /** When the interaction was appended to Kafka (its record timestamp), epoch ms; -1 when unknown. */
  public long appendMs = -1;
  public long policyVersion = -1;
  public double propensity = Double.NaN;
  public boolean explored;
  public float[] userFeatures;
  public String[] historyItems;
  public double[] historyRewards;

  public QualitySample() {}

  @Override
  public String toString() {
    return "QualitySample{" + userId + "/" + cohort + " " + itemId + " q=" + quality + " ts=" + ts + "}";
  }
}
