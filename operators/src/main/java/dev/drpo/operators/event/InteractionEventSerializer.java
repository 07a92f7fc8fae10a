package dev.drpo.operators.event;

import static dev.drpo.operators.wire.Fields.readFloats;
import static dev.drpo.operators.wire.Fields.readString;
import static dev.drpo.operators.wire.Fields.writeFloats;
import static dev.drpo.operators.wire.Fields.writeString;

import dev.drpo.operators.wire.SerializerTypeInfo;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * An {@link InteractionEvent} on the wire between the decoder and the sessions stage, and in the
 * copy between chained operators: its fields in a fixed order, no reflection and no boxing (Flink's
 * POJO serializer was about a tenth of the data path's time). For streams only ({@link #TYPE}):
 * state that holds events keeps the POJO serializer its savepoints were written with.
 */
public final class InteractionEventSerializer extends TypeSerializerSingleton<InteractionEvent> {
  private static final long serialVersionUID = 1L;
  public static final InteractionEventSerializer INSTANCE = new InteractionEventSerializer();
  public static final TypeInformation<InteractionEvent> TYPE = new SerializerTypeInfo<>(InteractionEvent.class, INSTANCE);

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public InteractionEvent createInstance() {
    return new InteractionEvent();
  }

  @Override
  public InteractionEvent copy(InteractionEvent from) {
    InteractionEvent to = new InteractionEvent(from.eventId, from.userId, from.itemId, from.ts, from.reward, from.cohort);
    to.userFeatures = from.userFeatures == null ? null : from.userFeatures.clone();
    to.requestId = from.requestId;
    to.policyVersion = from.policyVersion;
    to.propensity = from.propensity;
    to.explored = from.explored;
    to.appendMs = from.appendMs;
    return to;
  }

  @Override
  public InteractionEvent copy(InteractionEvent from, InteractionEvent reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(InteractionEvent e, DataOutputView out) throws IOException {
    writeString(e.eventId, out);
    writeString(e.userId, out);
    writeString(e.itemId, out);
    out.writeLong(e.ts);
    out.writeDouble(e.reward);
    writeString(e.cohort, out);
    writeFloats(e.userFeatures, out);
    writeString(e.requestId, out);
    out.writeLong(e.policyVersion);
    out.writeDouble(e.propensity);
    out.writeBoolean(e.explored);
    out.writeLong(e.appendMs);
  }

  @Override
  public InteractionEvent deserialize(DataInputView in) throws IOException {
    InteractionEvent e = new InteractionEvent(readString(in), readString(in), readString(in), in.readLong(), in.readDouble(), readString(in));
    e.userFeatures = readFloats(in);
    e.requestId = readString(in);
    e.policyVersion = in.readLong();
    e.propensity = in.readDouble();
    e.explored = in.readBoolean();
    e.appendMs = in.readLong();
    return e;
  }

  @Override
  public InteractionEvent deserialize(InteractionEvent reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  @Override
  public TypeSerializerSnapshot<InteractionEvent> snapshotConfiguration() {
    return new Snapshot();
  }

  /**
   * Compatible with itself only by class: the bytes have no version. Flink checks no serializer
   * against the records in flight that an unaligned checkpoint holds, so a change of this format
   * reaches a new build only through a savepoint (aligned, nothing in flight: docs/operations.md).
   */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<InteractionEvent> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
