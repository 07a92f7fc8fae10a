package dev.drpo.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogBenchCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldStartTheJobFromTheIndexMeasuredAloneAndReuseItInTheNextQuickRun(@TempDir Path built) throws Exception {
    String[] quick = {"bench", "catalog", "--items", "2000", "--queries", "200", "--set", "catalog.ann-above=1000", "--quick",
        "--built-indexes", built.toString(), "--json"};

    JsonNode first = lastSize(CliRun.of(quick));
    assertThat(first.get("retrieval").asText()).isEqualTo("hnsw");
    assertThat(first.get("quick").asBoolean()).isTrue();
    assertThat(first.get("index_built_in_an_earlier_run").asBoolean()).isFalse();
    assertThat(first.get("index_builds_in_the_job").asInt()).as("the job reopened the index built alone").isZero();
    assertThat(first.get("restarts_during_load").asInt()).isZero();
    assertThat(first.get("recall_at_10").asDouble()).isGreaterThan(0.9);
    try (Stream<Path> kept = Files.list(built)) {
      assertThat(kept).singleElement().satisfies(entry -> assertThat(entry.resolve("build.json")).exists());
    }

    JsonNode second = lastSize(CliRun.of(quick));
    assertThat(second.get("index_built_in_an_earlier_run").asBoolean()).isTrue();
    assertThat(second.get("build_s").asDouble()).isEqualTo(first.get("build_s").asDouble());
    assertThat(second.get("index_builds_in_the_job").asInt()).isZero();
    assertThat(second.get("recall_at_10").asDouble()).isEqualTo(first.get("recall_at_10").asDouble());
  }

  private static JsonNode lastSize(CliRun run) throws Exception {
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    JsonNode sizes = JSON.readTree(run.lastLine()).get("sizes");
    assertThat(sizes).hasSize(1);
    return sizes.get(0);
  }
}
