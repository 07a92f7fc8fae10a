package dev.drpo.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drpo.job.JobConfig;
import dev.drpo.job.kafka.CheckedProducer;
import dev.drpo.job.kafka.ItemsTopic;
import dev.drpo.operators.RocksDbMiniCluster;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.NIOFSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Items added to and removed from the items topic while the job serves (and while it is stopped)
 * reach the scorers without a restart; a restore from a savepoint rebuilds the catalog from the
 * topic, downloading the HNSW index scorer 0 copied to the durable directory when the restored
 * scorers run where no copy is kept (a fresh TaskManager's disk). The probe user has no history and asks for more items than the catalog holds, so every
 * answer lists every live item (fallback or not); the scorers search with the HNSW index
 * ({@code catalog.ann-above} below the world's 400 items).
 */
class CatalogUpdatesTest {
  /** More than the catalog's items: an answer lists every live item. */
  static final int ALL = 500;
  static final float[] NEW_EMBEDDING = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

  @RegisterExtension
  static final MiniClusterExtension CLUSTER = RocksDbMiniCluster.of(1, 2);

  static void change(Loop loop, String itemId, float[] embedding) {
    try (CheckedProducer producer = CheckedProducer.to(loop.connection)) {
      ItemsTopic.send(producer, loop.config.kafka().topics().items(), itemId, embedding);
    }
  }

  /** Asks until an answer satisfies {@code done}; returns every answer, in the order asked. */
  static List<List<String>> askUntil(Loop loop, String prefix, java.util.function.Predicate<List<String>> done) throws Exception {
    List<List<String>> answers = new ArrayList<>();
    for (int i = 0; answers.isEmpty() || !done.test(answers.get(answers.size() - 1)); i++) {
      assertThat(i).as("answers reflect the catalog change within 60 requests").isLessThan(60);
      answers.add(SavepointRolloutTest.items(SavepointRolloutTest.ask(loop, prefix + i, ALL)));
    }
    return answers;
  }

  /** The files of the index copy scorer 0 uploaded last (to the durable directory) and their checksums. */
  static Map<String, Long> copiedIndexFiles(JobConfig config) throws Exception {
    Path durable = Path.of(URI.create(config.retrieval().durableDirectory()));
    try (Stream<Path> all = Files.walk(durable)) {
      Path manifest = all.filter(p -> p.getFileName().toString().equals("manifest.json")).findFirst().orElseThrow();
      Map<String, Long> files = new HashMap<>();
      SavepointRolloutTest.JSON.readTree(manifest.toFile()).get("files")
          .forEach(f -> files.put(f.get("name").asText(), f.get("checksum").asLong()));
      return files;
    }
  }

  /** Lucene's checksums of those of {@code names} that {@code index} holds. */
  static Map<String, Long> checksums(Path index, Set<String> names) throws Exception {
    Map<String, Long> found = new HashMap<>();
    try (Directory dir = new NIOFSDirectory(index)) {
      for (String name : dir.listAll()) {
        if (names.contains(name)) {
          try (IndexInput in = dir.openInput(name, IOContext.READONCE)) {
            found.put(name, CodecUtil.retrieveChecksum(in));
          }
        }
      }
    }
    return found;
  }

  @Test
  void shouldServeNewItemsWithoutRestartNeverServeDeletedOnesAndDownloadTheIndexOnRestoreElsewhere(@TempDir Path dir) throws Exception {
    try (Loop loop = new Loop(dir, Map.of("scorer.max-k", "500", "catalog.ann-above", "100"))) {
      String savepoints = dir.resolve("savepoints").toUri().toString();
      JobClient job = SavepointRolloutTest.start(loop, loop.config, null);
      assertThat(SavepointRolloutTest.items(SavepointRolloutTest.ask(loop, "before", ALL))).hasSize(400).doesNotContain("new-1");

      change(loop, "new-1", NEW_EMBEDDING);
      change(loop, "new-2", NEW_EMBEDDING);
      change(loop, "item-7", null);
      change(loop, "short-item", new float[] {1, 2});
      List<List<String>> answers = askUntil(loop, "added-", // no order across items (partitions)
          items -> items.containsAll(List.of("new-1", "new-2")) && !items.contains("item-7"));
      assertThat(answers.get(answers.size() - 1)).hasSize(401).contains("new-1", "new-2").doesNotContain("item-7");

      change(loop, "item-8", null);
      for (int i = 0; i < 20; i++) { // requests in flight while the delete arrives: once gone, never back
        loop.send(loop.config.kafka().topics().recRequests(), String.format(
            "{\"requestId\":\"burst-%02d\",\"userId\":\"probe\",\"ts\":%d,\"k\":%d}", i, System.currentTimeMillis(), ALL)
            .getBytes(StandardCharsets.UTF_8));
      }
      askUntil(loop, "deleted-", items -> !items.contains("item-8"));
      TreeMap<Long, Boolean> item8ByServedAt = new TreeMap<>(); // answers of one user, one scorer: served in order
      long firstWithout = Long.MAX_VALUE;
      for (ConsumerRecord<byte[], byte[]> r : loop.readAll(loop.config.kafka().topics().recommendations())) {
        JsonNode answer = SavepointRolloutTest.JSON.readTree(r.value());
        if (answer.get("requestId").asText().startsWith("burst-")) {
          boolean has = SavepointRolloutTest.items(answer).contains("item-8");
          long servedAt = answer.get("servedAtMs").asLong();
          item8ByServedAt.merge(servedAt, has, Boolean::logicalOr);
          firstWithout = has ? firstWithout : Math.min(firstWithout, servedAt);
        }
      }
      assertThat(firstWithout).as("the delete was applied while the burst was answered, or before").isLessThan(Long.MAX_VALUE);
      assertThat(item8ByServedAt.tailMap(firstWithout, false).values())
          .as("after the first answer without the deleted item, none has it").doesNotContain(true);

      String savepoint = job.stopWithSavepoint(false, savepoints, SavepointFormatType.CANONICAL).get();
      Map<String, Long> copied = copiedIndexFiles(loop.config);
      change(loop, "new-3", NEW_EMBEDDING); // while the job is stopped
      change(loop, "new-1", null);
      Path freshTaskManager = dir.resolve("fresh-taskmanager-disk");
      JobConfig elsewhere = loop.config.with(Map.of("catalog.hnsw.index-directory", freshTaskManager.toString()));
      JobClient restored = SavepointRolloutTest.start(loop, elsewhere, savepoint);
      JsonNode afterRestore = SavepointRolloutTest.ask(loop, "after-restore", ALL);
      assertThat(SavepointRolloutTest.items(afterRestore)).as("the catalog as the topic holds it, no deleted item back")
          .hasSize(400).contains("new-2", "new-3").doesNotContain("new-1", "item-7", "item-8");
      List<Path> catalogs;
      try (var dirs = Files.list(freshTaskManager.resolve(loop.config.job().name()))) {
        catalogs = dirs.toList();
      }
      assertThat(catalogs).as("one catalog for the TaskManager's scorers and encoders (the MiniCluster is one)").hasSize(1);
      assertThat(checksums(catalogs.get(0), copied.keySet()).entrySet())
          .as("it downloaded the index scorer 0 copied (a rebuild writes files of other checksums)")
          .isNotEmpty().isSubsetOf(copied.entrySet());
      restored.cancel().get();

      List<String> reasons = loop.readAll(loop.config.kafka().topics().deadLetters()).stream()
          .map(r -> new String(r.headers().lastHeader("drpo.reason").value(), StandardCharsets.UTF_8)).toList();
      assertThat(reasons).as("the item of a wrong dimension, once (the restored source resumes after it)").singleElement().asString()
          .startsWith("BAD_ITEM: items topic partition ").endsWith("(short-item): embedding of 2 numbers, the catalog's dimension is 16");
      assertThat(SavepointRolloutTest.items(afterRestore)).doesNotContain("short-item");
    }
  }
}
