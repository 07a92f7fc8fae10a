package dev.drpo.operators.train;

/**
 * One published policy version: the serving-only snapshot in the model's codec
 * ({@code PolicySnapshotCodec}: parameters, no optimiser state) and what the trainer had done when
 * it was published. The scorers load {@code snapshot}; the policy-versions topic carries it as the
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
  public byte[] snapshot;

  public PolicyVersion() {}

  @Override
  public String toString() {
    return "PolicyVersion{" + policyName + " v" + version + ", steps=" + steps + ", samples=" + samples + ", "
        + (snapshot == null ? 0 : snapshot.length) + " B}";
  }
}
