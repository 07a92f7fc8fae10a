package dev.drpo.model.snapshot;

import dev.drpo.model.policy.PolicyConfig;
import java.util.Arrays;

/**
 * One published version of a policy: lineage, config, and the exact numbers to rebuild it.
 *
 * @param version this version's number
 * @param parentVersion the version it was trained from (-1 for none)
 * @param createdAtMs wall-clock creation time, epoch ms
 * @param config the policy's shape and optimiser settings
 * @param precision element type of the numbers (FLOAT32 in production, FLOAT64 in gradient tests)
 * @param parameters the flat parameter vector (mean network, then log sigma)
 * @param optimizerState Adam's moments [m | v], or empty for a serving-only snapshot
 * @param optimizerIteration Adam's step count
 */
public record PolicySnapshot(
    long version,
    long parentVersion,
    long createdAtMs,
    PolicyConfig config,
    Precision precision,
    double[] parameters,
    double[] optimizerState,
    int optimizerIteration) {

  /** Element type of a snapshot's numbers. */
  public enum Precision {
    FLOAT32,
    FLOAT64
  }

  public PolicySnapshot {
    if (parameters.length != config.parameterCount()) {
      throw new IllegalArgumentException("snapshot has " + parameters.length + " parameters, config needs " + config.parameterCount());
    }
    if (optimizerState.length != 0 && optimizerState.length != 2 * parameters.length) {
      throw new IllegalArgumentException("optimizer state must be empty or twice the parameter count");
    }
  }

  public boolean hasOptimizerState() {
    return optimizerState.length > 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicySnapshot s && version == s.version && parentVersion == s.parentVersion
        && createdAtMs == s.createdAtMs && config.equals(s.config) && precision == s.precision
        && Arrays.equals(parameters, s.parameters) && Arrays.equals(optimizerState, s.optimizerState)
        && optimizerIteration == s.optimizerIteration;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(version) * 31 + Arrays.hashCode(parameters);
  }

  @Override
  public String toString() {
    return "PolicySnapshot[version=" + version + ", parent=" + parentVersion + ", createdAtMs=" + createdAtMs
        + ", " + config + ", " + precision + ", parameters=" + parameters.length
        + ", optimizerState=" + optimizerState.length + ", iteration=" + optimizerIteration + "]";
  }
}
