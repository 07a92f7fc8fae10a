package dev.drpo.operators.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpo.operators.event.DeadLetter.Reason;
import dev.drpo.operators.event.JsonRecordDecoder.Rejection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InteractionDecoderTest {
  static final long NOW = 1_700_000_000_000L;
  static final DecoderConfig CONFIG = DecoderConfig.defaults("interactions", 2);
  static final ObjectMapper JSON = InteractionDecoder.mapper();

  @Test
  void decodesAFullEventAndIgnoresUnknownFields() throws Exception {
    InteractionEvent e = decode("{\"eventId\":\"e1\",\"userId\":\"u1\",\"itemId\":\"i9\",\"ts\":" + NOW
        + ",\"reward\":0.75,\"cohort\":\"mobile\",\"userFeatures\":[0.5,-1],\"policyVersion\":7,"
        + "\"propensity\":0.2,\"requestId\":\"r-3\",\"whatever\":{\"x\":1}}");

    assertThat(e.eventId).isEqualTo("e1");
    assertThat(e.userId).isEqualTo("u1");
    assertThat(e.itemId).isEqualTo("i9");
    assertThat(e.ts).isEqualTo(NOW);
    assertThat(e.reward).isEqualTo(0.75);
    assertThat(e.cohort).isEqualTo("mobile");
    assertThat(e.userFeatures).containsExactly(0.5f, -1f);
    assertThat(e.policyVersion).isEqualTo(7);
    assertThat(e.propensity).isEqualTo(0.2);
    assertThat(e.requestId).isEqualTo("r-3");
  }

  @Test
  void takesAnEchoedRequestIdAsTextAndIgnoresOneThatIsNotAScalar() throws Exception {
    String event = "{\"eventId\":\"e1\",\"userId\":\"u1\",\"itemId\":\"i9\",\"ts\":" + NOW + ",\"reward\":0.75";
    assertThat(decode(event + ",\"requestId\":17}").requestId).isEqualTo("17");
    assertThat(decode(event + ",\"requestId\":{\"id\":17}}").requestId).isNull();
    assertThat(decode(event + "}").requestId).isNull();
  }

  @Test
  void computesTheRewardFromSignalsWhenThereIsNone() throws Exception {
    InteractionEvent e = decode("{\"eventId\":\"e1\",\"userId\":\"u1\",\"itemId\":\"i9\",\"ts\":" + NOW
        + ",\"signals\":{\"click\":true,\"dwellMs\":15000,\"share\":3}}");
    assertThat(e.reward).isEqualTo(0.2 + 0.5 * 0.5);
    assertThat(e.cohortOrDefault()).isEqualTo("default");
    assertThat(e.policyVersion).isEqualTo(-1);
    assertThat(e.userFeatures).isNull();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{not json                                                                   | MALFORMED_JSON",
      "[1,2]                                                                        | MALFORMED_JSON",
      "{\"userId\":\"u\",\"itemId\":\"i\",\"ts\":NOW,\"reward\":1}                 | MISSING_FIELD",
      "{\"eventId\":\"e\",\"userId\":5,\"itemId\":\"i\",\"ts\":NOW,\"reward\":1}   | BAD_TYPE",
      "{\"eventId\":\"e\",\"userId\":\"u\",\"itemId\":\"i\",\"ts\":\"x\",\"reward\":1} | BAD_TYPE",
      "{\"eventId\":\"e\",\"userId\":\"u\",\"itemId\":\"i\",\"ts\":NOW}            | MISSING_FIELD",
      "{\"eventId\":\"e\",\"userId\":\"u\",\"itemId\":\"i\",\"ts\":NOW,\"reward\":NaN} | NON_FINITE",
      "{\"eventId\":\"e\",\"userId\":\"u\",\"itemId\":\"i\",\"ts\":NOW,\"reward\":1e400} | NON_FINITE",
      "{\"eventId\":\"e\",\"userId\":\"u\",\"itemId\":\"i\",\"ts\":NOW,\"reward\":5e6} | OUT_OF_RANGE",
      "{\"eventId\":\"e\",\"userId\":\"u\",\"itemId\":\"i\",\"ts\":-5,\"reward\":1} | OUT_OF_RANGE",
      "{\"eventId\":\"e\",\"userId\":\"u\",\"itemId\":\"i\",\"ts\":FUTURE,\"reward\":1} | FUTURE_TIMESTAMP",
      "{\"eventId\":\"e\",\"userId\":\"u\",\"itemId\":\"i\",\"ts\":NOW,\"reward\":1,\"userFeatures\":[1]} | FEATURE_LENGTH",
      "{\"eventId\":\"e\",\"userId\":\"u\",\"itemId\":\"i\",\"ts\":NOW,\"reward\":1,\"propensity\":0} | OUT_OF_RANGE",
      "{\"eventId\":\"e\",\"userId\":\"u\",\"itemId\":\"i\",\"ts\":NOW,\"signals\":{\"click\":-1}} | OUT_OF_RANGE",
  })
  void rejectsBadRecordsWithTheirReason(String record, Reason reason) {
    String json = record.replace("FUTURE", Long.toString(NOW + 3_600_000)).replace("NOW", Long.toString(NOW));
    assertThatThrownBy(() -> decode(json)).isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.reason).isEqualTo(reason));
  }

  @Test
  void rejectsOversizeRecordsUnread() {
    byte[] big = new byte[CONFIG.maxRecordBytes() + 1];
    assertThatThrownBy(() -> InteractionDecoder.decode(JSON, CONFIG, big, NOW))
        .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.reason).isEqualTo(Reason.OVERSIZE));
  }

  @Test
  void shouldSendEveryBadRecordToTheDeadLettersWithItsBytesAndReason() throws Exception {
    var harness = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new InteractionDecoder(DecoderConfig.defaults("interactions", 0))));
    harness.open();
    long now = System.currentTimeMillis();
    byte[] good = ("{\"eventId\":\"e\",\"userId\":\"u\",\"itemId\":\"i\",\"ts\":" + now + ",\"reward\":1}").getBytes(StandardCharsets.UTF_8);
    byte[] bad = "{\"eventId\":".getBytes(StandardCharsets.UTF_8);
    harness.processElement(new StreamRecord<>(good));
    harness.processElement(new StreamRecord<>(bad));

    assertThat(harness.extractOutputValues()).hasSize(1);
    List<DeadLetter> dead = harness.getSideOutput(InteractionDecoder.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
    assertThat(dead).singleElement().satisfies(d -> {
      assertThat(d.raw).isEqualTo(bad);
      assertThat(d.code()).isEqualTo(Reason.MALFORMED_JSON);
      assertThat(d.source).isEqualTo("interactions");
    });
    harness.close();
  }

  static InteractionEvent decode(String json) throws Rejection {
    return InteractionDecoder.decode(JSON, CONFIG, json.getBytes(StandardCharsets.UTF_8), NOW);
  }
}
