package dev.drpo.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.util.NumberSequenceIterator;
import org.junit.jupiter.api.Test;

class DataPathBenchmarkTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldGiveEachReaderItsOwnUsersWithTheirEventsInEventTimeOrder() throws Exception {
    long records = 1_001; // not a multiple of the readers: one range holds one more
    GeneratorFunction<Long, byte[]> generate = DataPathBenchmark.interaction(10, records, 2);
    long secondRangeFrom = new NumberSequenceIterator(0, records - 1).split(2)[1].getCurrent(); // as the source splits it
    Set<String> firstReaders = new HashSet<>();
    Set<String> secondReaders = new HashSet<>();
    Map<String, Long> lastTs = new HashMap<>();
    for (long i = 0; i < records; i++) {
      JsonNode event = JSON.readTree(generate.map(i));
      String user = event.get("userId").asText();
      long ts = event.get("ts").asLong();
      (i < secondRangeFrom ? firstReaders : secondReaders).add(user);
      assertThat(ts).as("event %d of %s", i, user).isGreaterThan(lastTs.getOrDefault(user, Long.MIN_VALUE));
      lastTs.put(user, ts);
    }
    assertThat(firstReaders).hasSize(5).doesNotContainAnyElementsOf(secondReaders);
    assertThat(secondReaders).hasSize(5);
  }
}
