package dev.drpo.operators.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.operators.Harnesses;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** Checks of a record serializer: every field goes over the wire, and a copy shares nothing mutable. */
public final class WireRecords {
  private WireRecords() {}

  /** {@code full} differs from a new record in every instance field, so a round trip of it covers them all. */
  public static <T> void assertSetsEveryField(T full, T blank) throws IllegalAccessException {
    for (Field f : full.getClass().getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        assertThat(Objects.deepEquals(f.get(full), f.get(blank))).as("the test record sets %s", f.getName()).isFalse();
      }
    }
  }

  public static <T> T roundTrip(TypeSerializer<T> serializer, T record) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(record, out);
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    T read = serializer.deserialize(in);
    assertThat(in.available()).as("bytes left after the record").isZero();
    return read;
  }

  /** Both records read back field by field (NaN equals NaN), and the full one's copy shares no array with it. */
  public static <T> void assertReadsBackAndCopiesDeeply(TypeSerializer<T> serializer, T full, T blank) throws Exception {
    assertSetsEveryField(full, blank);
    assertThat(roundTrip(serializer, full)).usingRecursiveComparison(Harnesses.fieldByField()).isEqualTo(full);
    assertThat(roundTrip(serializer, blank)).usingRecursiveComparison(Harnesses.fieldByField()).isEqualTo(blank);
    T copy = serializer.copy(full);
    assertThat(copy).usingRecursiveComparison(Harnesses.fieldByField()).isEqualTo(full);
    for (Field f : full.getClass().getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers()) && f.getType().isArray()) {
        assertThat(f.get(copy)).as("the copy's %s", f.getName()).isNotSameAs(f.get(full));
      }
    }
    assertThat(Arrays.asList(serializer.snapshotConfiguration().restoreSerializer())).containsExactly(serializer);
  }
}
