package dev.drpo.operators.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.drpo.operators.event.DeadLetter.Reason;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes interaction events from JSON bytes and validates them. Every record either comes out as
 * an {@link InteractionEvent} or goes to the {@link #DEAD_LETTERS} side output with its raw bytes
 * and a reason; one counter per reason ({@code deadLetters.<REASON>}) and one for decoded events.
 * Keeps no state.
 *
 * <p>Required: eventId, userId, itemId (non-empty strings), ts (integer epoch ms, positive, at most
 * maxFutureMs ahead of the wall clock), and reward (a finite number in [rewardMin, rewardMax]) or a
 * signals object (finite numbers or booleans) for the {@link RewardFunction}. Optional: cohort
 * (string), userFeatures (finite numbers, exactly userFeatureDim of them), policyVersion (integer),
 * propensity (finite, in (0, 1]). Unknown fields are ignored.
 */
public class InteractionDecoder extends ProcessFunction<byte[], InteractionEvent> {
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

  private final DecoderConfig config;
  private transient ObjectMapper json;
  private transient Map<Reason, Counter> rejected;
  private transient Counter decoded;

  public InteractionDecoder(DecoderConfig config) {
    this.config = config;
  }

  @Override
  public void open(OpenContext openContext) {
    json = mapper();
    rejected = new EnumMap<>(Reason.class);
    for (Reason r : Reason.values()) {
      rejected.put(r, getRuntimeContext().getMetricGroup().counter("deadLetters." + r.name()));
    }
    decoded = getRuntimeContext().getMetricGroup().counter("decodedEvents");
  }

  static ObjectMapper mapper() {
    return JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
  }

  @Override
  public void processElement(byte[] raw, Context ctx, Collector<InteractionEvent> out) {
    long now = System.currentTimeMillis();
    try {
      out.collect(decode(json, config, raw, now));
      decoded.inc();
    } catch (Rejection r) {
      rejected.get(r.reason).inc();
      ctx.output(DEAD_LETTERS, new DeadLetter(raw, r.reason, r.getMessage(), config.source(), now));
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

  /** Decodes and validates one record; throws a {@link Rejection} naming the reason. */
  static InteractionEvent decode(ObjectMapper json, DecoderConfig config, byte[] raw, long nowMs) throws Rejection {
    JsonNode node = parseObject(json, config, raw);
    InteractionEvent e = new InteractionEvent();
    e.eventId = requiredString(node, "eventId");
    e.userId = requiredString(node, "userId");
    e.itemId = requiredString(node, "itemId");
    e.ts = timestamp(node, config, nowMs);
    e.reward = reward(node, config);
    e.cohort = optionalString(node, "cohort");
    e.userFeatures = features(node.get("userFeatures"), config.userFeatureDim());
    JsonNode version = node.get("policyVersion");
    if (version != null && !version.isNull()) {
      if (!version.isIntegralNumber() || !version.canConvertToLong()) {
        throw new Rejection(Reason.BAD_TYPE, "policyVersion must be an integer");
      }
      e.policyVersion = version.asLong();
    }
    JsonNode propensity = node.get("propensity");
    if (propensity != null && !propensity.isNull()) {
      double p = finite(propensity, "propensity");
      if (!(p > 0 && p <= 1)) {
        throw new Rejection(Reason.OUT_OF_RANGE, "propensity " + p + " not in (0, 1]");
      }
      e.propensity = p;
    }
    return e;
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

  private static double reward(JsonNode node, DecoderConfig config) throws Rejection {
    JsonNode reward = node.get("reward");
    if (reward != null && !reward.isNull()) {
      double r = finite(reward, "reward");
      if (r < config.rewardMin() || r > config.rewardMax()) {
        throw new Rejection(Reason.OUT_OF_RANGE, "reward " + r + " not in [" + config.rewardMin() + ", " + config.rewardMax() + "]");
      }
      return r;
    }
    JsonNode signals = node.get("signals");
    if (signals == null || signals.isNull()) {
      throw new Rejection(Reason.MISSING_FIELD, "reward (or signals)");
    }
    if (!signals.isObject()) {
      throw new Rejection(Reason.BAD_TYPE, "signals must be an object");
    }
    Map<String, Double> values = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = signals.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> s = it.next();
      if (!config.rewards().knows(s.getKey())) {
        continue;
      }
      JsonNode v = s.getValue();
      double value = v.isBoolean() ? (v.asBoolean() ? 1 : 0) : finite(v, "signals." + s.getKey());
      if (value < 0) {
        throw new Rejection(Reason.OUT_OF_RANGE, "signals." + s.getKey() + " " + value + " is negative");
      }
      values.put(s.getKey(), value);
    }
    return config.rewards().reward(values);
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
