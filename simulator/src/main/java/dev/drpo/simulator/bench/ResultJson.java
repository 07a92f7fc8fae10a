package dev.drpo.simulator.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The benchmarks' results as JSON (Jackson): maps, lists, records, numbers; a number that is not
 * finite (a confidence interval of one seed, a recovery that did not happen) is written as null, a
 * whole one (a step, a count) as an integer.
 */
public final class ResultJson {
  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new SimpleModule()
      .addSerializer(Double.class, new FiniteOrNull())
      .addSerializer(double[].class, new FiniteRow()));

  private ResultJson() {}

  /** {@code value} as one line of JSON. */
  public static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An object of the given name, value, name, value, ... in that order. */
  public static Map<String, Object> fields(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("names and values come in pairs, got " + namesAndValues.length + " items");
    }
    Map<String, Object> object = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      object.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return object;
  }

  private static void number(double d, JsonGenerator out) throws IOException {
    if (!Double.isFinite(d)) {
      out.writeNull();
    } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      out.writeNumber((long) d);
    } else {
      out.writeNumber(d);
    }
  }

  private static final class FiniteOrNull extends StdSerializer<Double> {
    FiniteOrNull() {
      super(Double.class);
    }

    @Override
    public void serialize(Double d, JsonGenerator out, SerializerProvider provider) throws IOException {
      number(d, out);
    }
  }

  private static final class FiniteRow extends StdSerializer<double[]> {
    FiniteRow() {
      super(double[].class);
    }

    @Override
    public void serialize(double[] row, JsonGenerator out, SerializerProvider provider) throws IOException {
      out.writeStartArray();
      for (double d : row) {
        number(d, out);
      }
      out.writeEndArray();
    }
  }
}
