package dev.drpo.model.objective;

import dev.drpo.model.learn.Batch;
import dev.drpo.model.policy.GaussianPolicy;

/**
 * A policy-learning objective written as a weighted log-likelihood: the policy's loss on a batch is
 * L = -sum_i c_i log pi(a_i|s_i), and {@link #weigh} returns the coefficients c_i. Actor-critic
 * objectives train their critics on the batch inside {@link #weigh} first.
 */
public interface Objective {

  /** The method's name as reports print it (e.g. "DRPO", "AWR"). */
  String name();

  /**
   * @param batch the logged samples
   * @param logPi log pi(a_i|s_i) under the current policy (from its last evaluate on this batch)
   * @param policy the current policy, for objectives that sample from it or keep a copy
   */
  Weights weigh(Batch batch, double[] logPi, GaussianPolicy policy);
}
