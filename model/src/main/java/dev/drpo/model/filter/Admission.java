package dev.drpo.model.filter;

/**
 * What a hard filter decided for one batch.
 *
 * @param kept indices of the admitted samples, in batch order
 * @param threshold nu: admitted samples have quality >= nu (NaN while nothing can be admitted yet)
 * @param keptMean mean quality of the admitted population the filter estimates
 * @param keptStd standard deviation of that population (the DRPO weight's scale)
 * @param keepFraction the keep fraction P (kappa) this batch was filtered with
 */
public record Admission(int[] kept, double threshold, double keptMean, double keptStd, double keepFraction) {

  public static Admission none(double keepFraction) {
    return new Admission(new int[0], Double.NaN, Double.NaN, Double.NaN, keepFraction);
  }
}
