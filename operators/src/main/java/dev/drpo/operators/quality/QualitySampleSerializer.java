package dev.drpo.operators.quality;

import static dev.drpo.operators.wire.Fields.readDoubles;
import static dev.drpo.operators.wire.Fields.readFloats;
import static dev.drpo.operators.wire.Fields.readString;
import static dev.drpo.operators.wire.Fields.readStrings;
import static dev.drpo.operators.wire.Fields.writeDoubles;
import static dev.drpo.operators.wire.Fields.writeFloats;
import static dev.drpo.operators.wire.Fields.writeString;
import static dev.drpo.operators.wire.Fields.writeStrings;

import dev.drpo.operators.wire.SerializerTypeInfo;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A {@link QualitySample} on the wire between the sessions stage and the hard filter: its fields in
 * a fixed order, no reflection and no boxing. For streams only ({@link #TYPE}): state that holds
 * samples (inside a {@code TrainingSample}) keeps the POJO serializer its savepoints were written
 * with.
 */
public final class QualitySampleSerializer extends TypeSerializerSingleton<QualitySample> {
  private static final long serialVersionUID = 1L;
  public static final QualitySampleSerializer INSTANCE = new QualitySampleSerializer();
  public static final TypeInformation<QualitySample> TYPE = new SerializerTypeInfo<>(QualitySample.class, INSTANCE);

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public QualitySample createInstance() {
    return new QualitySample();
  }

  @Override
  public QualitySample copy(QualitySample from) {
    QualitySample to = new QualitySample();
    to.userId = from.userId;
    to.cohort = from.cohort;
    to.itemId = from.itemId;
    to.quality = from.quality;
    to.ts = from.ts;
    to.appendMs = from.appendMs;
    to.policyVersion = from.policyVersion;
    to.propensity = from.propensity;
    to.explored = from.explored;
    to.userFeatures = from.userFeatures == null ? null : from.userFeatures.clone();
    to.historyItems = from.historyItems == null ? null : from.historyItems.clone();
    to.historyRewards = from.historyRewards == null ? null : from.historyRewards.clone();
    return to;
  }

  @Override
  public QualitySample copy(QualitySample from, QualitySample reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(QualitySample s, DataOutputView out) throws IOException {
    writeString(s.userId, out);
    writeString(s.cohort, out);
    writeString(s.itemId, out);
    out.writeDouble(s.quality);
    out.writeLong(s.ts);
    out.writeLong(s.appendMs);
    out.writeLong(s.policyVersion);
    out.writeDouble(s.propensity);
    out.writeBoolean(s.explored);
    writeFloats(s.userFeatures, out);
    writeStrings(s.historyItems, out);
    writeDoubles(s.historyRewards, out);
  }

  @Override
  public QualitySample deserialize(DataInputView in) throws IOException {
    QualitySample s = new QualitySample();
    s.userId = readString(in);
    s.cohort = readString(in);
    s.itemId = readString(in);
    s.quality = in.readDouble();
    s.ts = in.readLong();
    s.appendMs = in.readLong();
    s.policyVersion = in.readLong();
    s.propensity = in.readDouble();
    s.explored = in.readBoolean();
    s.userFeatures = readFloats(in);
    s.historyItems = readStrings(in);
    s.historyRewards = readDoubles(in);
    return s;
  }

  @Override
  public QualitySample deserialize(QualitySample reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  @Override
  public TypeSerializerSnapshot<QualitySample> snapshotConfiguration() {
    return new Snapshot();
  }

  /**
   * Compatible with itself only by class: the bytes have no version. Flink checks no serializer
   * against the records in flight that an unaligned checkpoint holds, so a change of this format
   * reaches a new build only through a savepoint (aligned, nothing in flight: docs/operations.md).
   */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<QualitySample> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
