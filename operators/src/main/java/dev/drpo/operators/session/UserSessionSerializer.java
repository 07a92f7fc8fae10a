package dev.drpo.operators.session;

import static dev.drpo.operators.wire.Fields.readFloats;
import static dev.drpo.operators.wire.Fields.readLongs;
import static dev.drpo.operators.wire.Fields.readString;
import static dev.drpo.operators.wire.Fields.writeFloats;
import static dev.drpo.operators.wire.Fields.writeLongs;
import static dev.drpo.operators.wire.Fields.writeString;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A {@link UserSession}'s bytes in keyed state, read and written once per event: its fields in a
 * fixed order, no reflection and no boxing (Flink's POJO serializer spent about 60% of the sessions
 * stage's time on them). The bytes' format has a version, kept in the state's serializer snapshot:
 * a change of format is a new version whose snapshot migrates state written by the older one, as it
 * migrates the state of builds that kept sessions with the POJO serializer.
 */
public final class UserSessionSerializer extends TypeSerializerSingleton<UserSession> {
  public static final UserSessionSerializer INSTANCE = new UserSessionSerializer();
  /** The bytes' format: cohort, features, start, end, event ids, earlier ids, steps, timer. */
  static final int FORMAT = 1;
  private static final int NULL = -1;

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public UserSession createInstance() {
    return new UserSession();
  }

  @Override
  public UserSession copy(UserSession from) {
    UserSession to = new UserSession();
    to.cohort = from.cohort;
    to.userFeatures = from.userFeatures == null ? null : from.userFeatures.clone();
    to.start = from.start;
    to.end = from.end;
    to.eventIds = from.eventIds == null ? null : from.eventIds.clone();
    to.earlierIds = from.earlierIds == null ? null : from.earlierIds.clone();
    if (from.steps != null) {
      to.steps = new SessionStep[from.steps.length];
      for (int i = 0; i < from.steps.length; i++) {
        to.steps[i] = copy(from.steps[i]);
      }
    }
    to.timer = from.timer;
    return to;
  }

  private static SessionStep copy(SessionStep from) {
    SessionStep to = new SessionStep();
    to.itemId = from.itemId;
    to.reward = from.reward;
    to.ts = from.ts;
    to.appendMs = from.appendMs;
    to.policyVersion = from.policyVersion;
    to.propensity = from.propensity;
    to.explored = from.explored;
    to.pending = from.pending;
    return to;
  }

  @Override
  public UserSession copy(UserSession from, UserSession reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(UserSession s, DataOutputView out) throws IOException {
    writeString(s.cohort, out);
    writeFloats(s.userFeatures, out);
    out.writeLong(s.start);
    out.writeLong(s.end);
    writeLongs(s.eventIds, out);
    writeLongs(s.earlierIds, out);
    if (s.steps == null) {
      out.writeInt(NULL);
    } else {
      out.writeInt(s.steps.length);
      for (SessionStep step : s.steps) {
        writeString(step.itemId, out);
        out.writeDouble(step.reward);
        out.writeLong(step.ts);
        out.writeLong(step.appendMs);
        out.writeLong(step.policyVersion);
        out.writeDouble(step.propensity);
        out.writeByte((step.explored ? 1 : 0) | (step.pending ? 2 : 0));
      }
    }
    out.writeLong(s.timer);
  }

  @Override
  public UserSession deserialize(DataInputView in) throws IOException {
    UserSession s = new UserSession();
    s.cohort = readString(in);
    s.userFeatures = readFloats(in);
    s.start = in.readLong();
    s.end = in.readLong();
    s.eventIds = readLongs(in);
    s.earlierIds = readLongs(in);
    int steps = in.readInt();
    if (steps != NULL) {
      s.steps = new SessionStep[steps];
      for (int i = 0; i < steps; i++) {
        SessionStep step = new SessionStep();
        step.itemId = readString(in);
        step.reward = in.readDouble();
        step.ts = in.readLong();
        step.appendMs = in.readLong();
        step.policyVersion = in.readLong();
        step.propensity = in.readDouble();
        int flags = in.readByte();
        step.explored = (flags & 1) != 0;
        step.pending = (flags & 2) != 0;
        s.steps[i] = step;
      }
    }
    s.timer = in.readLong();
    return s;
  }

  @Override
  public UserSession deserialize(UserSession reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  @Override
  public TypeSerializerSnapshot<UserSession> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The format version the state was written in; state written by Flink's POJO serializer (builds before) migrates. */
  public static final class Snapshot implements TypeSerializerSnapshot<UserSession> {
    private int format = FORMAT;

    public Snapshot() {}

    @Override
    public int getCurrentVersion() {
      return FORMAT;
    }

    @Override
    public void writeSnapshot(DataOutputView out) {
      // the version is the whole configuration
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) {
      format = readVersion;
    }

    @Override
    public UserSessionSerializer restoreSerializer() {
      if (format != FORMAT) {
        throw new IllegalStateException("sessions written in format " + format + " need the serializer of that format; this build has "
            + FORMAT);
      }
      return INSTANCE;
    }

    @Override
    public TypeSerializerSchemaCompatibility<UserSession> resolveSchemaCompatibility(TypeSerializerSnapshot<UserSession> old) {
      if (old instanceof Snapshot written) { // another format needs its reader here first (restoreSerializer)
        return written.format == FORMAT ? TypeSerializerSchemaCompatibility.compatibleAsIs()
            : TypeSerializerSchemaCompatibility.incompatible();
      }
      if (old instanceof PojoSerializerSnapshot && old.restoreSerializer().createInstance() instanceof UserSession) {
        return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
      }
      return TypeSerializerSchemaCompatibility.incompatible();
    }
  }
}
