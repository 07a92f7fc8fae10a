package dev.drpo.operators.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.operators.Harnesses;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.TypeExtractor;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class UserSessionSerializerTest {
  static UserSession full() {
    UserSession s = new UserSession();
    s.cohort = "mobile";
    s.userFeatures = new float[] {0.5f, -1f};
    s.start = 1_000;
    s.end = 2_000;
    s.eventIds = new long[] {7, -3};
    s.earlierIds = new long[] {11};
    SessionStep seen = new SessionStep();
    seen.itemId = "item-1";
    seen.reward = 0.25;
    seen.ts = 1_000;
    seen.appendMs = 1_007;
    seen.policyVersion = 3;
    seen.propensity = 0.125;
    seen.explored = true;
    SessionStep pending = new SessionStep();
    pending.itemId = "item-\u00e9";
    pending.ts = 2_000;
    pending.pending = true;
    s.steps = new SessionStep[] {seen, pending};
    s.timer = 9_000;
    return s;
  }

  static UserSession roundTrip(UserSession s) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    UserSessionSerializer.INSTANCE.serialize(s, out);
    return UserSessionSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
  }

  @Test
  void shouldReadBackEveryFieldIncludingNullsAndNaN() throws Exception {
    UserSession full = full();
    assertThat(roundTrip(full)).usingRecursiveComparison(Harnesses.fieldByField()).isEqualTo(full);
    UserSession copy = UserSessionSerializer.INSTANCE.copy(full);
    assertThat(copy).usingRecursiveComparison(Harnesses.fieldByField()).isEqualTo(full);
    assertThat(copy.steps).isNotSameAs(full.steps);
    assertThat(copy.steps[0]).as("a deep copy: the cache changes its sessions in place").isNotSameAs(full.steps[0]);
    assertThat(copy.eventIds).isNotSameAs(full.eventIds);
    assertThat(full.steps[1].propensity).as("unknown propensity").isNaN();
    UserSession empty = new UserSession();
    assertThat(roundTrip(empty)).usingRecursiveComparison().isEqualTo(empty);
  }

  /** {@link #full()} as format 1 writes it (the bytes of every savepoint's sessions: a change needs a new format). */
  static final String FULL_FORMAT_1 = "000000066d6f62696c65000000023f000000bf80000000000000000003e800000000000007d0000000020000000000000007"
      + "fffffffffffffffd00000001000000000000000b00000002000000066974656d2d313fd000000000000000000000000003e800000000000003ef"
      + "00000000000000033fc000000000000001000000076974656d2dc3a9000000000000000000000000000007d0ffffffffffffffffffffffffffffffff"
      + "7ff8000000000000020000000000002328";

  @Test
  void shouldWriteTheBytesOfItsFormat() throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    UserSessionSerializer.INSTANCE.serialize(full(), out);
    assertThat(HexFormat.of().formatHex(out.getCopyOfBuffer())).isEqualTo(FULL_FORMAT_1);
    assertThat(UserSessionSerializer.FORMAT).isEqualTo(1);
  }

  @Test
  void shouldMigrateSessionsThePojoSerializerWroteAndKeepItsOwnAsTheyAre() {
    @SuppressWarnings("unchecked")
    PojoSerializer<UserSession> pojo = (PojoSerializer<UserSession>) TypeExtractor.createTypeInfo(UserSession.class)
        .createSerializer(new SerializerConfigImpl());
    TypeSerializerSnapshot<UserSession> current = UserSessionSerializer.INSTANCE.snapshotConfiguration();
    assertThat(current.resolveSchemaCompatibility(pojo.snapshotConfiguration()).isCompatibleAfterMigration()).isTrue();
    assertThat(current.resolveSchemaCompatibility(new UserSessionSerializer.Snapshot()).isCompatibleAsIs()).isTrue();
  }
}
