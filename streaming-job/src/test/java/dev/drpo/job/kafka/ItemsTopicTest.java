package dev.drpo.job.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drpo.operators.catalog.CatalogItems;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ItemsTopicTest {

  @Test
  void shouldNameTheItemsItCouldNotWriteAfterItsAttempts() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    KafkaConnection nowhere = KafkaConnection.of("localhost:" + closedPort, Map.of("max.block.ms", "200"));
    CatalogItems items = new CatalogItems(new String[] {"a", "b"}, new float[][] {{1, 0}, {0, 1}});

    assertThatThrownBy(() -> ItemsTopic.write(nowhere, "items", items)).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("items 0 to 1 of the catalog could not be written to 'items' in 3 attempts: "
            + "2 record(s) could not be sent");
  }
}
