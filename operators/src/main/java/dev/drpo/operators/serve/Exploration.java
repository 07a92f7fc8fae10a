package dev.drpo.operators.serve;

import dev.drpo.model.catalog.ItemCatalog.Ranking;
import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How the scorer picks a request's items beyond the policy's mean: a {@code share} of requests
 * explores, the rest get the k items nearest mu(s) as always. Every draw comes from the request's
 * own random stream ({@link #random}: its requestId and the policy version that answers), so the
 * same request answered by the same version gets the same items.
 *
 * <ul>
 *   <li>{@link Mode#NONE}: never explores.
 *   <li>{@link Mode#GAUSSIAN}: the action is drawn from the policy itself, a = mu(s) + scale * sigma
 *       * z with z ~ N(0, I) (scale 1: the policy's own spread), and the items are the k nearest a.
 *       An item's probability has no closed form (an integral over the region where it ranks), so
 *       no propensities.
 *   <li>{@link Mode#SOFTMAX}: the k items are drawn without replacement (slot by slot, Plackett-Luce)
 *       from the {@code candidates} items nearest mu(s), each with probability proportional to
 *       exp(cosine / temperature) among those not drawn yet. Every answer in this mode, whether
 *       its request explored or not, carries each slot's propensity under the whole serving mix:
 *       the probability that the scorer shows that item in that slot given the items in the
 *       earlier slots, the exploit answer (the top k, with probability 1 - share) and the draw
 *       (share) together ({@link #propensities}).
 * </ul>
 *
 * @param share the share of requests that explore, in [0, 1]
 * @param gaussianScale the multiple of the policy's sigma the Gaussian draw uses (> 0)
 * @param softmaxTemperature the softmax's temperature over cosines (> 0): small stays near the mean's top
 * @param softmaxCandidates how many of the items nearest the mean the softmax draws from (at least k are searched)
 */
public record Exploration(Mode mode, double share, double gaussianScale, double softmaxTemperature, int softmaxCandidates)
    implements Serializable {

  public enum Mode { NONE, GAUSSIAN, SOFTMAX }

  public static final Exploration NONE = new Exploration(Mode.NONE, 0, 1, 1, 1);

  /** The items drawn for one request, their cosines to the action searched with, and each slot's propensity (or null). */
  public record Choice(String[] ids, float[] scores, double[] propensities) {}

  public Exploration {
    if (mode == null) {
      throw new IllegalArgumentException("scorer.exploration must be none, gaussian or softmax");
    }
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException("scorer.explore-share must be in [0, 1], got " + share);
    }
    if (!(gaussianScale > 0) || Double.isInfinite(gaussianScale)) {
      throw new IllegalArgumentException("scorer.gaussian-scale must be > 0, got " + gaussianScale);
    }
    if (!(softmaxTemperature > 0) || Double.isInfinite(softmaxTemperature)) {
      throw new IllegalArgumentException("scorer.softmax-temperature must be > 0, got " + softmaxTemperature);
    }
    if (softmaxCandidates < 1) {
      throw new IllegalArgumentException("scorer.softmax-candidates must be >= 1, got " + softmaxCandidates);
    }
  }

  /** The random stream of one request answered by one policy version. */
  public static SplittableRandom random(String requestId, long policyVersion) {
    return new SplittableRandom(requestId.hashCode() * 0x9E3779B97F4A7C15L ^ policyVersion);
  }

  /** Whether the request explores: the first draw of its stream. */
  public boolean explores(SplittableRandom random) {
    return mode != Mode.NONE && random.nextDouble() < share;
  }

  /** How many items nearest the action a search must return so that k can be chosen from them. */
  public int searchSize(int k) {
    return mode == Mode.SOFTMAX ? Math.max(k, softmaxCandidates) : k;
  }

  /** Gaussian mode: replaces row {@code row} of {@code actions} (rows of sigma.length) by a draw around it. */
  public void perturb(float[] actions, int row, float[] sigma, SplittableRandom random) {
    int d = sigma.length;
    for (int j = 0; j < d; j++) {
      actions[row * d + j] += (float) (gaussianScale * sigma[j] * random.nextGaussian());
    }
  }

  /**
   * The items of one answer from the candidates nearest its action (best first): the top k, or,
   * for a request that explores ({@code explorer} not null) in softmax mode, k drawn from them. In
   * softmax mode each slot carries its propensity under the serving mix ({@link #propensities});
   * otherwise there are none (none: nothing is drawn; gaussian: no closed form).
   */
  public Choice choose(Ranking candidates, int k, SplittableRandom explorer) {
    if (mode != Mode.SOFTMAX) {
      return top(candidates, k);
    }
    Choice shown = explorer != null ? draw(candidates, k, explorer) : top(candidates, k);
    return new Choice(shown.ids(), shown.scores(), propensities(candidates, shown.ids()));
  }

  /**
   * The probability that the serving mix shows {@code item} first in an answer of {@code k} items,
   * given the candidates nearest the mean (best first, at least {@link #searchSize}(k) of them):
   * with softmax exploration 1 - share + share x its softmax weight for the top, share x its weight
   * for another of the searchSize(k) nearest, 0 for the rest; with none 1 for the top, else 0.
   * Gaussian exploration has no closed form: NaN.
   */
  public double firstSlotProbability(Ranking candidates, int k, String item) {
    return switch (mode) {
      case NONE -> candidates.ids().length > 0 && candidates.ids()[0].equals(item) ? 1 : 0;
      case GAUSSIAN -> Double.NaN;
      case SOFTMAX -> {
        double[] first = propensities(candidates, new String[] {item}, searchSize(k));
        yield first == null ? 0 : first[0];
      }
    };
  }

  /** The candidates' first k, as they rank. */
  private static Choice top(Ranking candidates, int k) {
    int n = Math.min(k, candidates.ids().length);
    return new Choice(Arrays.copyOf(candidates.ids(), n), Arrays.copyOf(candidates.scores(), n), null);
  }

  /**
   * Softmax mode: for each slot of an answer, the probability that the serving mix shows that item
   * there given the earlier slots (null where one underflows to 0). With E the event that the earlier slots are the exploit
   * answer's (the candidates' top, in order) and D the draw's probability of them:
   * P(slot j = x | earlier) = ((1 - share) [E and x is the top's j-th] + share D P_draw(x | earlier))
   * / ((1 - share) [E] + share D).
   */
  double[] propensities(Ranking candidates, String[] shown) {
    return propensities(candidates, shown, searchSize(shown.length));
  }

  /** {@link #propensities(Ranking, String[])} for an answer drawn from the first {@code drawnFrom} candidates. */
  private double[] propensities(Ranking candidates, String[] shown, int drawnFrom) {
    int m = Math.min(drawnFrom, candidates.ids().length);
    boolean[] drawn = new boolean[m];
    double[] weights = new double[m];
    double[] propensities = new double[shown.length];
    boolean exploitSoFar = true;
    double drawSoFar = 1;
    for (int slot = 0; slot < shown.length; slot++) {
      double sum = weigh(candidates.scores(), m, drawn, weights);
      int at = Arrays.asList(candidates.ids()).subList(0, m).indexOf(shown[slot]);
      double draw = at < 0 ? 0 : weights[at] / sum;
      boolean exploit = exploitSoFar && slot < candidates.ids().length && candidates.ids()[slot].equals(shown[slot]);
      double before = (1 - share) * (exploitSoFar ? 1 : 0) + share * drawSoFar;
      propensities[slot] = ((1 - share) * (exploit ? 1 : 0) + share * drawSoFar * draw) / before;
      if (!(propensities[slot] > 0 && propensities[slot] <= 1)) {
        return null; // the draw's probability of the earlier slots underflowed: no defined propensity
      }
      exploitSoFar = exploit;
      drawSoFar *= draw;
      if (at >= 0) {
        drawn[at] = true;
      }
    }
    return propensities;
  }

  /** The probability of each candidate (by its cosine) to be drawn first: a softmax at the temperature. */
  public double[] firstDrawProbabilities(float[] scores) {
    double[] p = new double[scores.length];
    double sum = weigh(scores, scores.length, new boolean[scores.length], p);
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  /**
   * Softmax mode: k of the candidates (nearest the mean first), drawn slot by slot without
   * replacement; each slot's propensity is its item's share of that slot's weights.
   */
  public Choice draw(Ranking candidates, int k, SplittableRandom random) {
    float[] scores = candidates.scores();
    int m = Math.min(searchSize(k), candidates.ids().length);
    int n = Math.min(k, m);
    boolean[] drawn = new boolean[m];
    double[] weights = new double[m];
    String[] ids = new String[n];
    float[] drawnScores = new float[n];
    double[] propensities = new double[n];
    for (int slot = 0; slot < n; slot++) {
      double sum = weigh(scores, m, drawn, weights);
      double u = random.nextDouble() * sum;
      int pick = -1;
      for (int i = 0; i < m; i++) {
        if (!drawn[i]) {
          pick = i;
          u -= weights[i];
          if (u < 0) {
            break;
          }
        }
      }
      ids[slot] = candidates.ids()[pick];
      drawnScores[slot] = scores[pick];
      propensities[slot] = weights[pick] / sum;
      drawn[pick] = true;
    }
    return new Choice(ids, drawnScores, propensities);
  }

  /**
   * exp(cosine / temperature) of each of the first m candidates not drawn yet (0 for those drawn),
   * relative to the best of them, so no weight that can be drawn underflows however small the
   * temperature; returns their sum.
   */
  private double weigh(float[] scores, int m, boolean[] drawn, double[] weights) {
    double top = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < m; i++) {
      top = drawn[i] ? top : Math.max(top, scores[i]);
    }
    double sum = 0;
    for (int i = 0; i < m; i++) {
      weights[i] = drawn[i] ? 0 : Math.exp((scores[i] - top) / softmaxTemperature);
      sum += weights[i];
    }
    return sum;
  }
}
