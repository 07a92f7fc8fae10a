package dev.drpo.model.policy;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * Shape and optimiser settings of a {@link GaussianPolicy}.
 *
 * @param stateDim size of the state vector s
 * @param hidden widths of the ReLU hidden layers of the mean network (paper: 128, 128)
 * @param actionDim size of the action (item embedding) space d
 * @param logSigmaMin lower clamp of the learned log standard deviation
 * @param logSigmaMax upper clamp of the learned log standard deviation
 * @param initialLogSigma starting log standard deviation of every dimension
 * @param learningRate Adam step size (paper: 3e-4)
 * @param backbone the mean network's shape: the paper's MLP, or the MLP plus a linear path
 */
public record PolicyConfig(
    int stateDim,
    int[] hidden,
    int actionDim,
    double logSigmaMin,
    double logSigmaMax,
    double initialLogSigma,
    double learningRate,
    Backbone backbone) implements Serializable {

  /** The mean network mu(s). */
  public enum Backbone {
    /** The paper's: ReLU hidden layers, a linear output layer. */
    MLP,
    /**
     * The MLP plus a linear path from the state: mu(s) = MLP(s) + [s 1] L, with L (stateDim + 1) x
     * actionDim starting at zero. A ReLU layer as wide as d cannot carry a near-identity map through;
     * the linear path can, and the MLP learns what is not linear.
     */
    MLP_LINEAR
  }

  /**
   * log sigma is clamped to [-5, 1]: sigma from 0.007 to 2.7. Actions are unit item embeddings, so
   * a per-dimension spread above e is already uninformative, and below e^-5 the likelihood turns
   * into a spike whose gradients scale with 1/sigma^2.
   */
  public static final double LOG_SIGMA_MIN = -5.0;

  public static final double LOG_SIGMA_MAX = 1.0;

  public PolicyConfig {
    if (stateDim <= 0 || actionDim <= 0) {
      throw new IllegalArgumentException("stateDim and actionDim must be positive");
    }
    if (hidden.length == 0 || Arrays.stream(hidden).anyMatch(h -> h <= 0)) {
      throw new IllegalArgumentException("hidden layer sizes must be positive: " + Arrays.toString(hidden));
    }
    if (!(logSigmaMin < logSigmaMax) || initialLogSigma < logSigmaMin || initialLogSigma > logSigmaMax) {
      throw new IllegalArgumentException("need logSigmaMin <= initialLogSigma <= logSigmaMax");
    }
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("learningRate must be positive");
    }
    if (backbone == null) {
      throw new IllegalArgumentException("backbone must be set");
    }
    hidden = hidden.clone();
  }

  /** The paper's backbone (MLP) with these settings. */
  public PolicyConfig(int stateDim, int[] hidden, int actionDim, double logSigmaMin, double logSigmaMax,
      double initialLogSigma, double learningRate) {
    this(stateDim, hidden, actionDim, logSigmaMin, logSigmaMax, initialLogSigma, learningRate, Backbone.MLP);
  }

  /** The paper's backbone: 2 hidden layers of 128, Adam 3e-4, initial sigma e^-1. */
  public static PolicyConfig paper(int stateDim, int actionDim) {
    return new PolicyConfig(stateDim, new int[] {128, 128}, actionDim, LOG_SIGMA_MIN, LOG_SIGMA_MAX, -1.0, 3e-4);
  }

  public PolicyConfig withLearningRate(double lr) {
    return new PolicyConfig(stateDim, hidden, actionDim, logSigmaMin, logSigmaMax, initialLogSigma, lr, backbone);
  }

  public PolicyConfig withHidden(int[] widths) {
    return new PolicyConfig(stateDim, widths, actionDim, logSigmaMin, logSigmaMax, initialLogSigma, learningRate, backbone);
  }

  public PolicyConfig withBackbone(Backbone b) {
    return new PolicyConfig(stateDim, hidden, actionDim, logSigmaMin, logSigmaMax, initialLogSigma, learningRate, b);
  }

  /** Whether the mean network has the linear path. */
  public boolean linearPath() {
    return backbone == Backbone.MLP_LINEAR;
  }

  /** Layer sizes of the mean network: state, hidden..., action. */
  public int[] meanNetworkSizes() {
    int[] sizes = new int[hidden.length + 2];
    sizes[0] = stateDim;
    System.arraycopy(hidden, 0, sizes, 1, hidden.length);
    sizes[sizes.length - 1] = actionDim;
    return sizes;
  }

  /** Mean-network parameters followed by one log sigma per action dimension. */
  public int parameterCount() {
    return Mlp.parameterCount(meanNetworkSizes(), linearPath()) + actionDim;
  }

  @Override
  public int[] hidden() {
    return hidden.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyConfig c
        && stateDim == c.stateDim
        && Arrays.equals(hidden, c.hidden)
        && actionDim == c.actionDim
        && Double.compare(logSigmaMin, c.logSigmaMin) == 0
        && Double.compare(logSigmaMax, c.logSigmaMax) == 0
        && Double.compare(initialLogSigma, c.initialLogSigma) == 0
        && Double.compare(learningRate, c.learningRate) == 0
        && backbone == c.backbone;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(hidden)
        + Objects.hash(stateDim, actionDim, logSigmaMin, logSigmaMax, initialLogSigma, learningRate, backbone);
  }

  @Override
  public String toString() {
    return "PolicyConfig[stateDim=" + stateDim + ", hidden=" + Arrays.toString(hidden) + ", actionDim=" + actionDim
        + ", logSigma=[" + logSigmaMin + ", " + logSigmaMax + "], initialLogSigma=" + initialLogSigma
        + ", learningRate=" + learningRate + ", backbone=" + backbone + "]";
  }
}
