package dev.drpo.model.filter;

/**
 * The hard filter of DRPO (Theorem 4.1): keep only samples whose quality is in the top kappa share,
 * kappa adapted by a {@link KeepFractionController}. Dropped samples get no gradient at all.
 */
public interface HardFilter {

  /** Decides which of a batch's samples pass, and advances the controller. */
  Admission admit(double[] quality);
}
