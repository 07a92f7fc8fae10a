package dev.drpo.simulator.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A minimal JSON writer for the benchmark's report: maps, lists, double[] rows, numbers, strings. */
final class Json {
  private Json() {}

  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    append(out, value);
    return out.toString();
  }

  private static void append(StringBuilder out, Object v) {
    if (v instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(out, e.getKey().toString());
        out.append(':');
        append(out, e.getValue());
      }
      out.append('}');
    } else if (v instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        append(out, list.get(i));
      }
      out.append(']');
    } else if (v instanceof double[] row) {
      out.append('[');
      for (int i = 0; i < row.length; i++) {
        if (i > 0) {
          out.append(',');
        }
        number(out, row[i]);
      }
      out.append(']');
    } else if (v instanceof Double d) {
      number(out, d);
    } else if (v instanceof Number n) {
      out.append(n);
    } else {
      string(out, String.valueOf(v));
    }
  }

  /** Whole numbers (steps, percentages) as integers, others with 6 significant digits; NaN/Inf as null. */
  private static void number(StringBuilder out, double d) {
    if (!Double.isFinite(d)) {
      out.append("null");
    } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      out.append((long) d);
    } else {
      out.append(String.format(Locale.ROOT, "%.6g", d));
    }
  }

  private static void string(StringBuilder out, String s) {
    out.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
  }
}
