package dev.drpo.operators.train;

import dev.drpo.operators.estimate.ValueEstimate;

/**
 * One published policy version: the serving-only snapshot in the model's codec
 * ({@code PolicySnapshotCodec}: parameters, no optimiser state), what the trainer had done when
 * it was published, and how fresh what it newly learned from is. The scorers load {@code snapshot}; the policy-versions topic carries it as the
 * record value under the key {@code policyName}.
 */
public class PolicyVersion {
  public String policyName;
  public long version;
  public long createdAtMs;
  /** Accepted gradient steps and samples trained on, over the policy's whole life. */
  public long steps;
  public long samples;
  /** Steps the divergence guard rejected, over the policy's whole life. */
  public long rejectedSteps;
  /** Mean kappa and nu of the last micro-batch's samples, and that step's loss. */
  public double keepFraction;
  public double threshold;
  public double loss;
  /** Samples trained on since the previous version. */
  public long learnedSamples;
  /** Oldest and newest event time of those samples' interactions, epoch ms (-1: none). */
  public long oldestEventTs = -1;
  public long newestEventTs = -1;
  /** Oldest and newest time those interactions were appended to Kafka, epoch ms (-1: unknown). */
  public long oldestAppendMs = -1;
  public long newestAppendMs = -1;
  /**
   * For each of those samples whose append time is known, createdAtMs minus its append time, as an
   * HdrHistogram in its compressed encoding ({@link Provenance#lags}); null when none is known.
   */
  public byte[] sampleLags;
  /**
   * What it is expected to earn, estimated off-policy before it serves ({@code
   * VersionValueEstimator}); null where no estimate was made.
   */
  public ValueEstimate estimate;
  public byte[] snapshot;

  public PolicyVersion() {}

  @Override
  public String toString() {
    return "PolicyVersion{" + policyName + " v" + version + ", steps=" + steps + ", samples=" + samples + ", "
        + (snapshot == null ? 0 : snapshot.length) + " B}";
  }
}
