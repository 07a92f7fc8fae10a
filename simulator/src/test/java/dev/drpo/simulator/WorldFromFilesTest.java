package dev.drpo.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.model.catalog.EmbeddingsCsv;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorldFromFilesTest {

  @Test
  void aWorldCanBeBuiltFromLoadedItemsAndUsers(@TempDir Path dir) throws Exception {
    StringBuilder items = new StringBuilder();
    StringBuilder users = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      items.append("it").append(i).append(',').append(Math.cos(i)).append(',').append(Math.sin(i)).append(",0.1\n");
    }
    for (int u = 0; u < 10; u++) {
      users.append("us").append(u).append(',').append(Math.cos(u * 3)).append(',').append(Math.sin(u * 3)).append(",0\n");
    }
    SimulatorConfig config = SimulatorConfig.defaults().withDimension(3).withSize(40, 8, 2, 100);
    World world = new World(config, 1, EmbeddingsCsv.read(Files.writeString(dir.resolve("i.csv"), items)),
        EmbeddingsCsv.read(Files.writeString(dir.resolve("u.csv"), users)));
    assertThat(world.catalog().id(7)).isEqualTo("it7");
    assertThat(world.heldOutUsers()).containsExactly(8, 9);
    assertThat(world.oracleReward(0)).isGreaterThan(world.latentReward(0, 20));
  }
}
