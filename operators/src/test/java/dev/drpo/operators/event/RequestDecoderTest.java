package dev.drpo.operators.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RequestDecoderTest {
  static final long NOW = System.currentTimeMillis();

  static RequestDecoder decoder() {
    return new RequestDecoder(DecoderConfig.defaults("rec-requests", 2), 10, 50);
  }

  @Test
  void decodesARequestWithItsOptionalFieldsAndDefaultK() throws Exception {
    var harness = ProcessFunctionTestHarnesses.forProcessFunction(decoder());
    harness.processElement(("{\"requestId\":\"r1\",\"userId\":\"u\",\"ts\":" + NOW + ",\"cohort\":\"app\",\"userFeatures\":[1,2]}")
        .getBytes(StandardCharsets.UTF_8), 0);

    RecRequest r = harness.extractOutputValues().get(0);
    assertThat(r.requestId).isEqualTo("r1");
    assertThat(r.k).isEqualTo(10);
    assertThat(r.cohort).isEqualTo("app");
    assertThat(r.userFeatures).containsExactly(1f, 2f);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"userId\":\"u\",\"ts\":NOW} | MISSING_FIELD",
      "{\"requestId\":\"r\",\"userId\":\"u\",\"ts\":NOW,\"k\":0} | OUT_OF_RANGE",
      "{\"requestId\":\"r\",\"userId\":\"u\",\"ts\":NOW,\"k\":51} | OUT_OF_RANGE",
      "{\"requestId\":\"r\",\"userId\":\"u\",\"ts\":NOW,\"k\":2.5} | BAD_TYPE",
      "{\"requestId\":\"r\",\"userId\":\"u\",\"ts\":NOW,\"userFeatures\":[1]} | FEATURE_LENGTH",
      "{\"requestId\":\"r\",\"userId\":\"u\",\"ts\":99999999999999} | FUTURE_TIMESTAMP",
      "{\"requestId\":\"r\" | MALFORMED_JSON"})
  void rejectsABadRequestWithItsReason(String json, DeadLetter.Reason reason) throws Exception {
    var harness = ProcessFunctionTestHarnesses.forProcessFunction(decoder());
    harness.processElement(json.replace("NOW", Long.toString(NOW)).getBytes(StandardCharsets.UTF_8), 0);

    assertThat(harness.extractOutputValues()).isEmpty();
    assertThat(harness.getSideOutput(RequestDecoder.DEAD_LETTERS)).singleElement()
        .satisfies(d -> assertThat(d.getValue().code()).isEqualTo(reason));
  }
}
