package dev.drpo.operators.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpo.operators.event.DeadLetter.Reason;
import org.apache.flink.util.OutputTag;

/**
 * Decodes recommendation requests from JSON bytes and validates them, with the same rules and
 * limits as the {@link InteractionDecoder}; rejected requests go to {@link #DEAD_LETTERS} with
 * their raw bytes and reason ({@link JsonRecordDecoder}). Keeps no state.
 *
 * <p>Required: requestId, userId (non-empty strings), ts (integer epoch ms). Optional: k (integer
 * in [1, maxK], default defaultK), cohort (string), userFeatures (exactly userFeatureDim finite numbers).
 */
public class RequestDecoder extends JsonRecordDecoder<RecRequest> {
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("rejected-requests") {};

  private final int defaultK;
  private final int maxK;

  public RequestDecoder(DecoderConfig config, int defaultK, int maxK) {
    super(config, DEAD_LETTERS, "decodedRequests");
    if (defaultK < 1 || maxK < defaultK) {
      throw new IllegalArgumentException("need 1 <= defaultK <= maxK, got " + defaultK + " and " + maxK);
    }
    this.defaultK = defaultK;
    this.maxK = maxK;
  }

  @Override
  RecRequest decode(ObjectMapper json, byte[] raw, long nowMs, Long recordTimestamp) throws Rejection {
    JsonNode node = parseObject(json, config, raw);
    RecRequest r = new RecRequest();
    r.requestId = requiredString(node, "requestId");
    r.userId = requiredString(node, "userId");
    r.ts = timestamp(node, config, nowMs);
    r.k = defaultK;
    JsonNode k = node.get("k");
    if (k != null && !k.isNull()) {
      if (!k.isIntegralNumber() || !k.canConvertToInt()) {
        throw new Rejection(Reason.BAD_TYPE, "k must be an integer");
      }
      if (k.asInt() < 1 || k.asInt() > maxK) {
        throw new Rejection(Reason.OUT_OF_RANGE, "k " + k.asInt() + " not in [1, " + maxK + "]");
      }
      r.k = k.asInt();
    }
    r.cohort = optionalString(node, "cohort");
    r.userFeatures = features(node.get("userFeatures"), config.userFeatureDim());
    return r;
  }
}
