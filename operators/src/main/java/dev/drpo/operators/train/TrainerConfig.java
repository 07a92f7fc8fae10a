package dev.drpo.operators.train;

import dev.drpo.model.learn.DivergenceGuard;
import dev.drpo.model.objective.Prefiltered;
import dev.drpo.model.policy.PolicyConfig;
import java.io.Serializable;

/**
 * The micro-batch trainer's settings.
 *
 * @param policyName the policy's name: the trainer's key and the policy-versions topic's record key
 * @param batchSize samples per micro-batch (paper: 320)
 * @param stepsPerBatch gradient steps taken on each micro-batch (1: every sample is used once;
 *     more reuses scarce samples, as offline training takes several epochs over its logs)
 * @param maxWaitMs processing time a partial micro-batch waits before it is trained anyway
 * @param publishEverySteps a new version as soon as this many accepted steps are not published...
 * @param publishIntervalMs ...or this much processing time has passed since the last one and a
 *     step is not published, whichever comes first
 * @param policy shape and learning rate of the Gaussian policy (state dim, hidden layers, d)
 * @param seed initial parameters of a policy trained from scratch
 * @param normalisation MEAN for DRPO weights, SUM for DRPO-Exp weights
 * @param maxMeanNorm divergence guard: largest root-mean-square norm of mu accepted
 * @param maxLoss divergence guard: largest |loss| accepted
 */
public record TrainerConfig(String policyName, int batchSize, int stepsPerBatch, long maxWaitMs, int publishEverySteps,
    long publishIntervalMs, PolicyConfig policy, long seed, Prefiltered.Normalisation normalisation,
    double maxMeanNorm, double maxLoss) implements Serializable {

  public TrainerConfig {
    if (policyName == null || policyName.isBlank() || batchSize < 1 || stepsPerBatch < 1 || maxWaitMs < 1 || publishEverySteps < 1
        || publishIntervalMs < 1 || !(maxMeanNorm > 0) || !(maxLoss > 0)) {
      throw new IllegalArgumentException("invalid trainer config: " + this);
    }
  }

  public static TrainerConfig defaults(PolicyConfig policy) {
    return new TrainerConfig("drpo", 320, 4, 500, 10, 500, policy, 7, Prefiltered.Normalisation.MEAN,
        DivergenceGuard.DEFAULT_MAX_MEAN_NORM, DivergenceGuard.DEFAULT_MAX_LOSS);
  }
}
