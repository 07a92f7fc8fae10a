package dev.drpo.operators.filter;

import dev.drpo.operators.quality.QualitySample;

/**
 * A sample the hard filter admitted (the {@link QualitySample} itself), with its weight and the
 * filter's nu and kappa at admission: what the trainer learns from. {@code state} and {@code action}
 * are null until the {@link TrainingStateEncoder} builds s from the user's features and history and
 * looks up the logged item's embedding.
 */
public class TrainingSample {
  public QualitySample sample;
  public double weight;
  public double threshold;
  public double keepFraction;
  /** The filter's estimate of the serving policy's expected quality for this state (0: no baseline). */
  public double baseline;
  public float[] state;
  public float[] action;

  public TrainingSample() {}

  public TrainingSample(QualitySample sample, double weight, double threshold, double keepFraction) {
    this.sample = sample;
    this.weight = weight;
    this.threshold = threshold;
    this.keepFraction = keepFraction;
  }

  @Override
  public String toString() {
    return "TrainingSample{" + sample + " w=" + weight + " nu=" + threshold + "}";
  }
}
