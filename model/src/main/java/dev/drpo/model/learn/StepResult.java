package dev.drpo.model.learn;

/**
 * What one training step did.
 *
 * @param accepted false when the divergence guard rejected the step (parameters were not changed,
 *     or were rolled back to the last good ones)
 * @param rejection the guard's reason, or null
 * @param undone the rejection rolled back the last applied step (its parameters failed the guard)
 * @param loss -sum_i c_i log pi(a_i|s_i) before the update
 * @param gradientNorm L2 norm of the policy gradient
 * @param meanNorm root-mean-square norm of mu on the batch (output intensity)
 * @param meanLogSigma mean of log sigma (output intensity)
 * @param admitted samples with a weight (all for unfiltered objectives)
 * @param keepFraction the filter's P for this batch (1 when unfiltered)
 * @param threshold the filter's nu (NaN when unfiltered)
 */
public record StepResult(
    boolean accepted,
    String rejection,
    boolean undone,
    double loss,
    double gradientNorm,
    double meanNorm,
    double meanLogSigma,
    int admitted,
    double keepFraction,
    double threshold) {}
