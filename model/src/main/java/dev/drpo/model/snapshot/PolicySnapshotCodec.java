package dev.drpo.model.snapshot;

import dev.drpo.model.policy.PolicyConfig;
import dev.drpo.model.snapshot.PolicySnapshot.Precision;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The binary format of a {@link PolicySnapshot} (big-endian; not Java serialization):
 * <pre>
 * "DRPS" | format u8 (2) | version i64 | parentVersion i64 | createdAtMs i64
 * | stateDim i32 | hiddenCount i32 | hidden i32 x hiddenCount | actionDim i32 | backbone u8 (0 = MLP, 1 = MLP_LINEAR)
 * | logSigmaMin f64 | logSigmaMax f64 | initialLogSigma f64 | learningRate f64
 * | precision u8 (1 = float32, 2 = float64) | parameterCount i32 | parameters
 * | optimizerIteration i32 | stateCount i32 (0 or 2 x parameterCount) | optimizer state
 * | CRC32C i32 of every byte before it
 * </pre>
 * Format 1 (written before the backbone byte existed) is read as the paper's MLP. The default
 * policy (128 -> 128 -> 128 -> 128 plus 128 log sigmas: 49,664 parameters) encodes to 596,067
 * bytes with Adam's state and 198,755 bytes without (float32); with the linear path (16,512 more
 * parameters) 794,211 and 264,803.
 */
public final class PolicySnapshotCodec {
  private static final byte[] MAGIC = "DRPS".getBytes(StandardCharsets.US_ASCII);
  private static final byte FORMAT = 2;
  private static final byte FORMAT_WITHOUT_BACKBONE = 1;

  private PolicySnapshotCodec() {}

  /** How many bytes a snapshot of a policy of this shape encodes to. */
  public static int encodedSize(PolicyConfig c, Precision precision, boolean withOptimizer) {
    int width = precision == Precision.FLOAT32 ? 4 : 8;
    int parameters = c.parameterCount();
    return 4 + 1 + 24 + 8 + 4 * c.hidden().length + 4 + 1 + 32 + 1 + 4
        + width * parameters + 8 + (withOptimizer ? width * 2 * parameters : 0) + 4;
  }

  public static byte[] encode(PolicySnapshot s) {
    PolicyConfig c = s.config();
    ByteBuffer out = ByteBuffer.allocate(encodedSize(c, s.precision(), s.hasOptimizerState()));
    out.put(MAGIC).put(FORMAT);
    out.putLong(s.version()).putLong(s.parentVersion()).putLong(s.createdAtMs());
    out.putInt(c.stateDim()).putInt(c.hidden().length);
    for (int h : c.hidden()) {
      out.putInt(h);
    }
    out.putInt(c.actionDim());
    out.put((byte) c.backbone().ordinal());
    out.putDouble(c.logSigmaMin()).putDouble(c.logSigmaMax()).putDouble(c.initialLogSigma()).putDouble(c.learningRate());
    out.put((byte) (s.precision() == Precision.FLOAT32 ? 1 : 2));
    putNumbers(out, s.parameters(), s.precision());
    out.putInt(s.optimizerIteration());
    putNumbers(out, s.optimizerState(), s.precision());
    CRC32C crc = new CRC32C();
    crc.update(out.array(), 0, out.position());
    out.putInt((int) crc.getValue());
    return out.array();
  }

  public static PolicySnapshot decode(byte[] bytes) {
    if (bytes.length < 9) {
      throw new IllegalArgumentException("not a policy snapshot: " + bytes.length + " bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    byte[] magic = new byte[4];
    in.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new IllegalArgumentException("not a policy snapshot: bad magic");
    }
    byte format = in.get();
    if (format != FORMAT && format != FORMAT_WITHOUT_BACKBONE) {
      throw new IllegalArgumentException("policy snapshot format " + format + " is not supported (this build reads "
          + FORMAT_WITHOUT_BACKBONE + " and " + FORMAT + ")");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
      throw new IllegalArgumentException("policy snapshot checksum mismatch: the bytes are corrupt or truncated");
    }
    long version = in.getLong();
    long parent = in.getLong();
    long createdAt = in.getLong();
    int stateDim = in.getInt();
    int[] hidden = new int[in.getInt()];
    for (int i = 0; i < hidden.length; i++) {
      hidden[i] = in.getInt();
    }
    int actionDim = in.getInt();
    PolicyConfig.Backbone backbone = format == FORMAT_WITHOUT_BACKBONE ? PolicyConfig.Backbone.MLP : backbone(in.get());
    PolicyConfig config = new PolicyConfig(stateDim, hidden, actionDim, in.getDouble(), in.getDouble(),
        in.getDouble(), in.getDouble(), backbone);
    Precision precision = in.get() == 1 ? Precision.FLOAT32 : Precision.FLOAT64;
    double[] parameters = getNumbers(in, precision);
    int iteration = in.getInt();
    double[] state = getNumbers(in, precision);
    return new PolicySnapshot(version, parent, createdAt, config, precision, parameters, state, iteration);
  }

  private static PolicyConfig.Backbone backbone(byte code) {
    PolicyConfig.Backbone[] all = PolicyConfig.Backbone.values();
    if (code < 0 || code >= all.length) {
      throw new IllegalArgumentException("policy snapshot backbone " + code + " is not known to this build");
    }
    return all[code];
  }

  private static void putNumbers(ByteBuffer out, double[] values, Precision precision) {
    out.putInt(values.length);
    for (double v : values) {
      if (precision == Precision.FLOAT32) {
        out.putFloat((float) v);
      } else {
        out.putDouble(v);
      }
    }
  }

  private static double[] getNumbers(ByteBuffer in, Precision precision) {
    double[] values = new double[in.getInt()];
    for (int i = 0; i < values.length; i++) {
      values[i] = precision == Precision.FLOAT32 ? in.getFloat() : in.getDouble();
    }
    return values;
  }
}
