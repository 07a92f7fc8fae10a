package dev.drpo.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.app.deploy.ComposeFile;
import dev.drpo.job.JobConfig;
import dev.drpo.model.snapshot.PolicySnapshot;
import dev.drpo.model.snapshot.PolicySnapshotCodec;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sizes docs/job.md states, computed from the settings they name, so that the docs follow the code. */
class DocumentedSizesTest {
  static final int ITEM_DIMENSION = 128;

  static String bytes(JobConfig config) {
    int size = PolicySnapshotCodec.encodedSize(config.trainer(ITEM_DIMENSION).policy(), PolicySnapshot.Precision.FLOAT32, false);
    return String.format(Locale.ROOT, "%,d bytes", size);
  }

  @Test
  void shouldStateThePolicyVersionsSizeOfTheDefaultNetworks() throws Exception {
    String jobDoc = Files.readString(ComposeFile.ROOT.resolve("docs/job.md"));
    String defaults = bytes(JobConfig.defaults());
    String papers = bytes(JobConfig.defaults().with(Map.of("events.user-feature-dim", "128", "state.history-length", "0",
        "trainer.network", "mlp", "trainer.hidden", "128,128")));
    System.out.printf("policy version: %s (conf/job.yaml), %s (the paper's network)%n", defaults, papers);
    assertThat(jobDoc).contains("A policy version is " + defaults).contains(papers + " for the paper's");
  }
}
