package dev.drpo.model.objective;

/**
 * The coefficients of one step's loss -sum_i c_i log pi(a_i|s_i), and what the filter decided.
 *
 * @param coefficients c_i, one per sample (0 for samples that contribute no gradient)
 * @param admitted samples the objective learns from (all of them for unfiltered objectives)
 * @param keepFraction the filter's keep fraction P (1 for unfiltered objectives)
 * @param threshold the filter's nu (NaN for unfiltered objectives)
 */
public record Weights(double[] coefficients, int admitted, double keepFraction, double threshold) {

  public static Weights unfiltered(double[] coefficients) {
    return new Weights(coefficients, coefficients.length, 1.0, Double.NaN);
  }
}
