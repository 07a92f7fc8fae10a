package dev.drpo.model.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drpo.model.learn.Batch;
import dev.drpo.model.learn.DivergenceGuard;
import dev.drpo.model.learn.PolicyLearner;
import dev.drpo.model.objective.Bc;
import dev.drpo.model.policy.GaussianPolicy;
import dev.drpo.model.policy.PolicyConfig;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class PolicySnapshotCodecTest {
  static final PolicyConfig DEFAULT = PolicyConfig.paper(128, 128);

  @Test
  void roundTripRestoresABitIdenticalPolicyThatKeepsTrainingIdentically() {
    PolicyLearner original = new PolicyLearner(new GaussianPolicy(DEFAULT, DataType.FLOAT, 1), new Bc(), DivergenceGuard.defaults());
    original.step(batch(1));
    original.step(batch(2));

    byte[] bytes = PolicySnapshotCodec.encode(original.policy().toSnapshot(7, 6, 1_700_000_000_000L, true));
    PolicySnapshot decoded = PolicySnapshotCodec.decode(bytes);
    GaussianPolicy restored = GaussianPolicy.fromSnapshot(decoded);

    assertThat(decoded.version()).isEqualTo(7);
    assertThat(decoded.parentVersion()).isEqualTo(6);
    assertThat(decoded.createdAtMs()).isEqualTo(1_700_000_000_000L);
    assertThat(decoded.config()).isEqualTo(DEFAULT);
    assertThat(restored.params()).isEqualTo(original.policy().params());
    assertThat(restored.optimizer().state()).isEqualTo(original.policy().optimizer().state());
    assertThat(restored.optimizer().iteration()).isEqualTo(2);

    PolicyLearner resumed = new PolicyLearner(restored, new Bc(), DivergenceGuard.defaults());
    original.step(batch(3));
    resumed.step(batch(3));
    assertThat(resumed.policy().params()).isEqualTo(original.policy().params());
  }

  @Test
  void defaultPolicySizeIsAsDocumented() {
    GaussianPolicy policy = new GaussianPolicy(DEFAULT, DataType.FLOAT, 1);
    assertThat(DEFAULT.parameterCount()).isEqualTo(49_664);
    assertThat(PolicySnapshotCodec.encode(policy.toSnapshot(1, 0, 0, true))).hasSize(596_067);
    assertThat(PolicySnapshotCodec.encode(policy.toSnapshot(1, 0, 0, false))).hasSize(198_755);
    assertThat(PolicySnapshotCodec.encodedSize(DEFAULT, PolicySnapshot.Precision.FLOAT32, true)).isEqualTo(596_067);
    assertThat(PolicySnapshotCodec.encodedSize(DEFAULT, PolicySnapshot.Precision.FLOAT32, false)).isEqualTo(198_755);
    PolicyConfig linear = DEFAULT.withBackbone(PolicyConfig.Backbone.MLP_LINEAR);
    assertThat(PolicySnapshotCodec.encodedSize(linear, PolicySnapshot.Precision.FLOAT32, true)).isEqualTo(794_211);
    assertThat(PolicySnapshotCodec.encode(new GaussianPolicy(linear, DataType.FLOAT, 1).toSnapshot(1, 0, 0, false))).hasSize(264_803);
  }

  @Test
  void theBackboneTravelsWithTheSnapshotAndTheOldFormatReadsAsThePapersMlp() {
    PolicyConfig linear = DEFAULT.withBackbone(PolicyConfig.Backbone.MLP_LINEAR);
    GaussianPolicy policy = new GaussianPolicy(linear, DataType.FLOAT, 3);
    assertThat(PolicySnapshotCodec.decode(PolicySnapshotCodec.encode(policy.toSnapshot(1, 0, 0, false))).config()).isEqualTo(linear);

    byte[] current = PolicySnapshotCodec.encode(new GaussianPolicy(DEFAULT, DataType.FLOAT, 3).toSnapshot(4, 3, 0, false));
    PolicySnapshot old = PolicySnapshotCodec.decode(formatOne(current));
    assertThat(old.config()).isEqualTo(DEFAULT);
    assertThat(old.version()).isEqualTo(4);
    assertThat(old.parameters()).isEqualTo(PolicySnapshotCodec.decode(current).parameters());
  }

  /** The same snapshot as format 1 wrote it: no backbone byte after actionDim. */
  static byte[] formatOne(byte[] current) {
    int backboneAt = 4 + 1 + 24 + 4 + 4 + 4 * DEFAULT.hidden().length + 4;
    ByteBuffer old = ByteBuffer.allocate(current.length - 1);
    old.put(current, 0, backboneAt).put(current, backboneAt + 1, current.length - backboneAt - 5);
    old.put(4, (byte) 1);
    CRC32C crc = new CRC32C();
    crc.update(old.array(), 0, old.position());
    old.putInt((int) crc.getValue());
    return old.array();
  }

  @Test
  void corruptedBytesAreRefusedWithAClearMessage() {
    byte[] bytes = PolicySnapshotCodec.encode(new GaussianPolicy(DEFAULT, DataType.FLOAT, 1).toSnapshot(1, 0, 0, false));
    bytes[1000] ^= 1;
    assertThatThrownBy(() -> PolicySnapshotCodec.decode(bytes)).hasMessageContaining("checksum mismatch");
    assertThatThrownBy(() -> PolicySnapshotCodec.decode(new byte[] {'{', '}', 0, 0, 0, 0, 0, 0, 0, 0}))
        .hasMessageContaining("bad magic");
  }

  static Batch batch(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] s = new float[32][128];
    float[][] a = new float[32][128];
    double[] rewards = r.doubles(32).toArray();
    for (int i = 0; i < 32; i++) {
      for (int j = 0; j < 128; j++) {
        s[i][j] = (float) r.nextGaussian();
        a[i][j] = (float) r.nextGaussian() / 11;
      }
    }
    return Batch.of(s, a, rewards, DataType.FLOAT);
  }
}
