package dev.drpo.operators.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.drpo.operators.event.DeadLetter.Reason;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes JSON records and validates them: every record either comes out decoded or goes to the
 * dead-letter side output with its raw bytes and a reason, one counter per reason
 * ({@code deadLetters.<REASON>}) and one for decoded records. Keeps no state. Subclasses say what a
 * record is; the validation rules they share are here.
 */
public abstract class JsonRecordDecoder<T> extends ProcessFunction<byte[], T> {
  protected final DecoderConfig config;
  private final OutputTag<DeadLetter> deadLetters;
  private final String decodedCounter;
  private transient ObjectMapper json;
  private transient Map<Reason, Counter> rejected;
  private transient Counter decoded;

  protected JsonRecordDecoder(DecoderConfig config, OutputTag<DeadLetter> deadLetters, String decodedCounter) {
    this.config = config;
    this.deadLetters = deadLetters;
    this.decodedCounter = decodedCounter;
  }

  /**
   * Decodes and validates one record; throws a {@link Rejection} naming the reason.
   *
   * @param recordTimestamp the record's timestamp as its source gave it (a Kafka record's
   *     timestamp: when it was appended, or created by the producer), or null
   */
  abstract T decode(ObjectMapper json, byte[] raw, long nowMs, Long recordTimestamp) throws Rejection;

  @Override
  public void open(OpenContext openContext) {
    json = mapper();
    rejected = new EnumMap<>(Reason.class);
    for (Reason r : Reason.values()) {
      rejected.put(r, getRuntimeContext().getMetricGroup().counter("deadLetters." + r.name()));
    }
    decoded = getRuntimeContext().getMetricGroup().counter(decodedCounter);
  }

  static ObjectMapper mapper() {
    return JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
  }

  @Override
  public void processElement(byte[] raw, Context ctx, Collector<T> out) {
    long now = System.currentTimeMillis();
    try {
      out.collect(decode(json, raw, now, ctx.timestamp()));
      decoded.inc();
    } catch (Rejection r) {
      rejected.get(r.reason).inc();
      ctx.output(deadLetters, new DeadLetter(raw, r.reason, r.getMessage(), config.source(), now));
    }
  }

  /** Why a record is rejected. */
  static final class Rejection extends Exception {
    final Reason reason;

    Rejection(Reason reason, String detail) {
      super(detail, null, false, false);
      this.reason = reason;
    }
  }

  /** The record as a JSON object, or a {@link Rejection}: empty, oversize, malformed, or not an object. */
  static JsonNode parseObject(ObjectMapper json, DecoderConfig config, byte[] raw) throws Rejection {
    if (raw == null || raw.length == 0) {
      throw new Rejection(Reason.MALFORMED_JSON, "empty record");
    }
    if (raw.length > config.maxRecordBytes()) {
      throw new Rejection(Reason.OVERSIZE, raw.length + " bytes > " + config.maxRecordBytes());
    }
    JsonNode node;
    try {
      node = json.readTree(raw);
    } catch (JsonProcessingException e) {
      throw new Rejection(Reason.MALFORMED_JSON, e.getOriginalMessage());
    } catch (IOException e) {
      throw new Rejection(Reason.MALFORMED_JSON, e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new Rejection(Reason.MALFORMED_JSON, "not a JSON object");
    }
    return node;
  }

  /** ts: an integer epoch-ms time, positive, at most maxFutureMs ahead of now. */
  static long timestamp(JsonNode node, DecoderConfig config, long nowMs) throws Rejection {
    JsonNode ts = node.get("ts");
    if (ts == null || ts.isNull()) {
      throw new Rejection(Reason.MISSING_FIELD, "ts");
    }
    if (!ts.canConvertToLong() || !ts.isIntegralNumber()) {
      throw new Rejection(Reason.BAD_TYPE, "ts must be an integer epoch-ms timestamp");
    }
    long t = ts.asLong();
    if (t <= 0) {
      throw new Rejection(Reason.OUT_OF_RANGE, "ts " + t + " must be positive");
    }
    if (t > nowMs + config.maxFutureMs()) {
      throw new Rejection(Reason.FUTURE_TIMESTAMP, "ts " + t + " is more than " + config.maxFutureMs() + " ms ahead of " + nowMs);
    }
    return t;
  }

  /** A string field that may be absent (null). */
  static String optionalString(JsonNode node, String field) throws Rejection {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new Rejection(Reason.BAD_TYPE, field + " must be a string");
    }
    return v.asText();
  }

  static String requiredString(JsonNode node, String field) throws Rejection {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new Rejection(Reason.MISSING_FIELD, field);
    }
    if (!v.isTextual() || v.asText().isEmpty()) {
      throw new Rejection(Reason.BAD_TYPE, field + " must be a non-empty string");
    }
    return v.asText();
  }

  static double finite(JsonNode v, String field) throws Rejection {
    if (!v.isNumber()) {
      throw new Rejection(Reason.BAD_TYPE, field + " must be a number");
    }
    double d = v.asDouble();
    if (!Double.isFinite(d)) {
      throw new Rejection(Reason.NON_FINITE, field + " is " + d);
    }
    return d;
  }

  static float[] features(JsonNode v, int dim) throws Rejection {
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw new Rejection(Reason.BAD_TYPE, "userFeatures must be an array of numbers");
    }
    if (v.size() != dim) {
      throw new Rejection(Reason.FEATURE_LENGTH, "userFeatures has " + v.size() + " values, expected " + dim);
    }
    float[] f = new float[dim];
    for (int i = 0; i < dim; i++) {
      double d = finite(v.get(i), "userFeatures[" + i + "]");
      if (Math.abs(d) > Float.MAX_VALUE) {
        throw new Rejection(Reason.OUT_OF_RANGE, "userFeatures[" + i + "] exceeds float range");
      }
      f[i] = (float) d;
    }
    return f;
  }
}
