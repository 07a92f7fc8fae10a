package dev.drpo.operators.estimate;

/**
 * What a policy version is expected to earn before it serves: the mean reward of the first item
 * the scorer's serving mix with this version would show, over answers like the recent ones whose
 * first item the user took, estimated off-policy from those answers and the propensities they were
 * shown with (doubly robust, self-normalised), with a 95% interval, and the mean reward those answers
 * actually earned under the versions that gave them. A Flink POJO: it travels in {@code PolicyVersion}.
 */
public class ValueEstimate {
  /** The z of a two-sided 95% normal interval. */
  private static final double Z95 = 1.959964;
  /**
   * Below this many effective answers there is no interval: when a few weights carry the
   * estimate, their own residuals are near 0 and the normal interval shrinks just as it should widen.
   */
  public static final double MIN_EFFECTIVE_FOR_INTERVAL = 30;

  /** The estimate ({@link #doublyRobust}). */
  public double reward = Double.NaN;
  /** Its 95% interval (delta method); NaN below {@link #MIN_EFFECTIVE_FOR_INTERVAL} effective answers. */
  public double low = Double.NaN;
  public double high = Double.NaN;
  /** The logged answers it was estimated from. */
  public int answers;
  /** (sum w)^2 / sum w^2: how many of them the estimate effectively rests on; small means unreliable. */
  public double effectiveAnswers;
  /** The mean reward of the same answers as they were served: what the versions before it earned. */
  public double servedReward = Double.NaN;

  public ValueEstimate() {}

  /**
   * The doubly robust, self-normalised estimate from {@code n} logged answers: each one's
   * probability under the new version's serving mix ({@code target}, >= 0) and under the mix that
   * served it ({@code logged}, > 0), its reward, and a baseline b(s) of its state (what the serving
   * policy earns there, whatever it shows): mean_i b(s_i) + sum_i w_i (r_i - b(s_i)) / sum_i w_i,
   * w_i = target_i / logged_i. With every baseline 0 it is self-normalised importance sampling. The
   * baseline takes the differences between states (easy and hard users) out of what the weights
   * multiply. With no answer the new mix could have given (every target 0) the estimate and its
   * interval are NaN; with fewer than {@link #MIN_EFFECTIVE_FOR_INTERVAL} effective answers, its interval.
   */
  public static ValueEstimate doublyRobust(double[] target, double[] logged, double[] reward, double[] baseline, int n) {
    ValueEstimate e = new ValueEstimate();
    e.answers = n;
    double sumW = 0;
    double sumW2 = 0;
    double sumWe = 0;
    double sumR = 0;
    double sumB = 0;
    for (int i = 0; i < n; i++) {
      if (!(target[i] >= 0) || !(logged[i] > 0)) {
        throw new IllegalArgumentException("answer " + i + ": target probability " + target[i] + " must be >= 0 and logged "
            + logged[i] + " > 0");
      }
      double w = target[i] / logged[i];
      sumW += w;
      sumW2 += w * w;
      sumWe += w * (reward[i] - baseline[i]);
      sumR += reward[i];
      sumB += baseline[i];
    }
    e.servedReward = n == 0 ? Double.NaN : sumR / n;
    if (!(sumW > 0)) {
      return e;
    }
    double meanB = sumB / n;
    double correction = sumWe / sumW;
    e.reward = meanB + correction;
    e.effectiveAnswers = sumW * sumW / sumW2;
    if (e.effectiveAnswers < MIN_EFFECTIVE_FOR_INTERVAL) {
      return e;
    }
    double weighted = 0; // delta method for the self-normalised correction
    double spread = 0; // and the baseline's mean, taken as independent of it
    for (int i = 0; i < n; i++) {
      double w = target[i] / logged[i];
      double d = reward[i] - baseline[i] - correction;
      weighted += w * w * d * d;
      spread += (baseline[i] - meanB) * (baseline[i] - meanB);
    }
    double half = Z95 * Math.sqrt(weighted / (sumW * sumW) + spread / ((double) n * n));
    e.low = e.reward - half;
    e.high = e.reward + half;
    return e;
  }

  @Override
  public String toString() {
    return String.format("%.4f [%.4f, %.4f] from %d answers (effective %.1f), served %.4f", reward, low, high, answers,
        effectiveAnswers, servedReward);
  }
}
