package dev.drpo.job.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class CheckedProducerTest {

  @Test
  void shouldFailTheFlushWhenASendFailed() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", "localhost:" + closedPort);
    p.setProperty("max.block.ms", "300");
    try (CheckedProducer producer = new CheckedProducer(p)) {
      producer.send("rec-requests", "{}".getBytes(StandardCharsets.UTF_8));
      producer.send("rec-requests", "{}".getBytes(StandardCharsets.UTF_8));

      assertThatThrownBy(producer::flush).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("2 record(s) could not be sent, the first to rec-requests: ")
          .hasMessageContaining("not present in metadata after 300 ms");
    }
  }
}
