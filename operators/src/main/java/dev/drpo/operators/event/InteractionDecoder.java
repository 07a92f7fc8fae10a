package dev.drpo.operators.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpo.operators.event.DeadLetter.Reason;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.util.OutputTag;

/**
 * Decodes interaction events from JSON bytes and validates them. Every record either comes out as
 * an {@link InteractionEvent} or goes to the {@link #DEAD_LETTERS} side output with its raw bytes
 * and a reason; one counter per reason ({@code deadLetters.<REASON>}) and one for decoded events.
 * Keeps no state ({@link JsonRecordDecoder} does the accounting; the rules below are its shared ones plus reward).
 *
 * <p>Required: eventId, userId, itemId (non-empty strings), ts (integer epoch ms, positive, at most
 * maxFutureMs ahead of the wall clock), and reward (a finite number in [rewardMin, rewardMax]) or a
 * signals object (finite numbers or booleans) for the {@link RewardFunction}. Optional: cohort
 * (string), userFeatures (finite numbers, exactly userFeatureDim of them), requestId (the answer's,
 * echoed: a scalar, taken as text; anything else is ignored), policyVersion (integer), propensity (finite, in (0, 1]), explored (boolean). Unknown fields are ignored. The record's timestamp (Kafka's
 * append or create time) becomes the event's appendMs: how fresh what the trainer learns from is.
 */
public class InteractionDecoder extends JsonRecordDecoder<InteractionEvent> {
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

  public InteractionDecoder(DecoderConfig config) {
    super(config, DEAD_LETTERS, "decodedEvents");
  }

  @Override
  InteractionEvent decode(ObjectMapper json, byte[] raw, long nowMs, Long recordTimestamp) throws Rejection {
    InteractionEvent e = decode(json, config, raw, nowMs);
    if (recordTimestamp != null) {
      e.appendMs = recordTimestamp;
    }
    return e;
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
    JsonNode requestId = node.get("requestId"); // only echoed: any scalar is taken as its text, anything else ignored
    e.requestId = requestId != null && requestId.isValueNode() && !requestId.isNull() ? requestId.asText() : null;
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
    JsonNode explored = node.get("explored");
    if (explored != null && !explored.isNull()) {
      if (!explored.isBoolean()) {
        throw new Rejection(Reason.BAD_TYPE, "explored must be true or false");
      }
      e.explored = explored.booleanValue();
    }
    return e;
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
}
