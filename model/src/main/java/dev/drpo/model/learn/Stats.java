package dev.drpo.model.learn;

/** Mean and population standard deviation (divides by n: the batch is the whole population here). */
public final class Stats {
  private Stats() {}

  public static double mean(double[] x) {
    double sum = 0;
    for (double v : x) {
      sum += v;
    }
    return x.length == 0 ? Double.NaN : sum / x.length;
  }

  public static double std(double[] x) {
    double mean = mean(x);
    double sum = 0;
    for (double v : x) {
      sum += (v - mean) * (v - mean);
    }
    return x.length == 0 ? Double.NaN : Math.sqrt(sum / x.length);
  }

  /** x_i - mean(x): the bandit advantage against the batch's mean reward as value baseline. */
  public static double[] centered(double[] x) {
    double mean = mean(x);
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] - mean;
    }
    return out;
  }

  public static double[] select(double[] x, int[] indices) {
    double[] out = new double[indices.length];
    for (int i = 0; i < indices.length; i++) {
      out[i] = x[indices[i]];
    }
    return out;
  }
}
