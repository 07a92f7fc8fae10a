package dev.drpo.operators.event;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns an event's {@code signals} object into a reward when the event has no explicit reward:
 * reward = clip(sum over known signals of weight x value, 0, 1), where a boolean signal counts as
 * 0/1 and {@code dwellMs} counts as min(dwellMs / dwellFullMs, 1). Unknown signals are ignored.
 * Default weights: click 0.2, like 0.3, purchase 1.0, dwellMs 0.5 (full at 30 s).
 */
public final class RewardFunction implements Serializable {
  private static final long serialVersionUID = 1L;

  private final TreeMap<String, Double> weights;
  private final double dwellFullMs;

  public RewardFunction(Map<String, Double> weights, double dwellFullMs) {
    this.weights = new TreeMap<>(weights);
    this.dwellFullMs = dwellFullMs;
  }

  public static RewardFunction defaults() {
    return new RewardFunction(Map.of("click", 0.2, "like", 0.3, "purchase", 1.0, "dwellMs", 0.5), 30_000);
  }

  public boolean knows(String signal) {
    return weights.containsKey(signal);
  }

  /** @param signals known signal values (booleans already as 0/1) */
  public double reward(Map<String, Double> signals) {
    double sum = 0;
    for (Map.Entry<String, Double> s : signals.entrySet()) {
      Double w = weights.get(s.getKey());
      if (w != null) {
        double v = s.getKey().equals("dwellMs") ? Math.min(s.getValue() / dwellFullMs, 1.0) : s.getValue();
        sum += w * v;
      }
    }
    return Math.min(1.0, Math.max(0.0, sum));
  }
}
