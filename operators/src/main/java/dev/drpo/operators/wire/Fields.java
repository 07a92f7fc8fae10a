package dev.drpo.operators.wire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The fields of this job's own serializers: a string as its UTF-8 bytes after their count, an array
 * as its length and its elements, -1 for null. No reflection, no boxing and no thread-local lookup
 * per string (Flink's {@code StringValue} does one).
 */
public final class Fields {
  private static final int NULL = -1;

  private Fields() {}

  public static void writeString(String value, DataOutputView out) throws IOException {
    if (value == null) {
      out.writeInt(NULL);
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  public static String readString(DataInputView in) throws IOException {
    int n = in.readInt();
    if (n == NULL) {
      return null;
    }
    byte[] bytes = new byte[n];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  public static void writeStrings(String[] values, DataOutputView out) throws IOException {
    if (values == null) {
      out.writeInt(NULL);
      return;
    }
    out.writeInt(values.length);
    for (String value : values) {
      writeString(value, out);
    }
  }

  public static String[] readStrings(DataInputView in) throws IOException {
    int n = in.readInt();
    if (n == NULL) {
      return null;
    }
    String[] values = new String[n];
    for (int i = 0; i < n; i++) {
      values[i] = readString(in);
    }
    return values;
  }

  public static void writeFloats(float[] values, DataOutputView out) throws IOException {
    if (values == null) {
      out.writeInt(NULL);
      return;
    }
    out.writeInt(values.length);
    for (float value : values) {
      out.writeFloat(value);
    }
  }

  public static float[] readFloats(DataInputView in) throws IOException {
    int n = in.readInt();
    if (n == NULL) {
      return null;
    }
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = in.readFloat();
    }
    return values;
  }

  public static void writeDoubles(double[] values, DataOutputView out) throws IOException {
    if (values == null) {
      out.writeInt(NULL);
      return;
    }
    out.writeInt(values.length);
    for (double value : values) {
      out.writeDouble(value);
    }
  }

  public static double[] readDoubles(DataInputView in) throws IOException {
    int n = in.readInt();
    if (n == NULL) {
      return null;
    }
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = in.readDouble();
    }
    return values;
  }

  public static void writeLongs(long[] values, DataOutputView out) throws IOException {
    if (values == null) {
      out.writeInt(NULL);
      return;
    }
    out.writeInt(values.length);
    for (long value : values) {
      out.writeLong(value);
    }
  }

  public static long[] readLongs(DataInputView in) throws IOException {
    int n = in.readInt();
    if (n == NULL) {
      return null;
    }
    long[] values = new long[n];
    for (int i = 0; i < n; i++) {
      values[i] = in.readLong();
    }
    return values;
  }
}
