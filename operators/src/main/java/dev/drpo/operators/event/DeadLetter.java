package dev.drpo.operators.event;

import java.nio.charset.StandardCharsets;

/**
 * A record that could not be processed: the raw bytes as read, why, and where from. The reason
 * starts with a {@link Reason} code ("MISSING_FIELD: userId").
 */
public class DeadLetter {
  /** Why a record was rejected; one counter each. */
  public enum Reason {
    MALFORMED_JSON,
    MISSING_FIELD,
    BAD_TYPE,
    NON_FINITE,
    OUT_OF_RANGE,
    OVERSIZE,
    FUTURE_TIMESTAMP,
    FEATURE_LENGTH,
    /** An admitted training sample whose item is not in the catalog. */
    UNKNOWN_ITEM,
    /** An admitted training sample that found the encoder's waiting room full while it loaded the catalog. */
    CATALOG_LOADING,
    /** An items-topic record that is not an item: no key, not JSON, wrong dimension, zero or non-finite embedding. */
    BAD_ITEM
  }

  public byte[] raw;
  public String reason;
  public String source;
  /** Processing time of the rejection, epoch ms. */
  public long rejectedAtMs;

  public DeadLetter() {}

  public DeadLetter(byte[] raw, Reason code, String detail, String source, long rejectedAtMs) {
    this.raw = raw;
    this.reason = code + ": " + detail;
    this.source = source;
    this.rejectedAtMs = rejectedAtMs;
  }

  public Reason code() {
    return Reason.valueOf(reason.substring(0, reason.indexOf(':')));
  }

  @Override
  public String toString() {
    String text = new String(raw, 0, Math.min(raw.length, 200), StandardCharsets.UTF_8);
    return "DeadLetter{" + reason + ", source=" + source + ", raw=" + text + "}";
  }
}
