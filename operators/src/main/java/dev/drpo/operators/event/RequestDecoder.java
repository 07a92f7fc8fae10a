package dev.drpo.operators.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpo.operators.event.DeadLetter.Reason;
import dev.drpo.operators.event.InteractionDecoder.Rejection;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes recommendation requests from JSON bytes and validates them, with the same rules and
 * limits as the {@link InteractionDecoder}; rejected requests go to {@link #DEAD_LETTERS} with
 * their raw bytes and reason (one counter per reason, {@code deadLetters.<REASON>}). Keeps no state.
 *
 * <p>Required: requestId, userId (non-empty strings), ts (integer epoch ms). Optional: k (integer
 * in [1, maxK], default defaultK), cohort (string), userFeatures (exactly userFeatureDim finite numbers).
 */
public class RequestDecoder extends ProcessFunction<byte[], RecRequest> {
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("rejected-requests") {};

  private final DecoderConfig config;
  private final int defaultK;
  private final int maxK;
  private transient ObjectMapper json;
  private transient Map<Reason, Counter> rejected;
  private transient Counter decoded;

  public RequestDecoder(DecoderConfig config, int defaultK, int maxK) {
    if (defaultK < 1 || maxK < defaultK) {
      throw new IllegalArgumentException("need 1 <= defaultK <= maxK, got " + defaultK + " and " + maxK);
    }
    this.config = config;
    this.defaultK = defaultK;
    this.maxK = maxK;
  }

  @Override
  public void open(OpenContext openContext) {
    json = InteractionDecoder.mapper();
    rejected = new EnumMap<>(Reason.class);
    for (Reason r : Reason.values()) {
      rejected.put(r, getRuntimeContext().getMetricGroup().counter("deadLetters." + r.name()));
    }
    decoded = getRuntimeContext().getMetricGroup().counter("decodedRequests");
  }

  @Override
  public void processElement(byte[] raw, Context ctx, Collector<RecRequest> out) {
    long now = System.currentTimeMillis();
    try {
      out.collect(decode(raw, now));
      decoded.inc();
    } catch (Rejection r) {
      rejected.get(r.reason).inc();
      ctx.output(DEAD_LETTERS, new DeadLetter(raw, r.reason, r.getMessage(), config.source(), now));
    }
  }

  RecRequest decode(byte[] raw, long nowMs) throws Rejection {
    JsonNode node = InteractionDecoder.parseObject(json, config, raw);
    RecRequest r = new RecRequest();
    r.requestId = InteractionDecoder.requiredString(node, "requestId");
    r.userId = InteractionDecoder.requiredString(node, "userId");
    r.ts = InteractionDecoder.timestamp(node, config, nowMs);
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
    r.cohort = InteractionDecoder.optionalString(node, "cohort");
    r.userFeatures = InteractionDecoder.features(node.get("userFeatures"), config.userFeatureDim());
    return r;
  }
}
