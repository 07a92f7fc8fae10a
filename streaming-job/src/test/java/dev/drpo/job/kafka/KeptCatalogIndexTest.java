package dev.drpo.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drpo.embedded.EmbeddedKafka;
import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.operators.catalog.CatalogItems;
import dev.drpo.operators.catalog.LiveCatalog;
import dev.drpo.operators.catalog.QueuedTaskThread;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scorer's kept HNSW index against a real items topic (the in-JVM broker): when it may be reopened. */
class KeptCatalogIndexTest {
  static final String TOPIC = "items";

  static CatalogItems items(String prefix, int n) {
    SplittableRandom r = new SplittableRandom(prefix.hashCode());
    String[] ids = new String[n];
    float[][] e = new float[n][4];
    for (int i = 0; i < n; i++) {
      ids[i] = prefix + i;
      for (int j = 0; j < 4; j++) {
        e[i][j] = (float) r.nextGaussian();
      }
    }
    return new CatalogItems(ids, e);
  }

  /** Mails the last {@link #load} took: 1 when it reopened a kept index, 2 when it built one. */
  static int mailsTaken;

  /** The catalog as an instance loads it (taking over the load and the index build as its task thread would). */
  static LiveCatalog load(ItemsTopic.Loader loader, Path kept) throws InterruptedException {
    QueuedTaskThread taskThread = new QueuedTaskThread();
    LiveCatalog live = LiveCatalog.start("job", loader, new ItemCatalog.Retrieval(100, 16, 100, 100, 16, kept.toString(), ""), "test",
        taskThread, "test", false);
    mailsTaken = taskThread.runUntilSettled(live);
    return live;
  }

  static void recreate(EmbeddedKafka kafka) throws Exception {
    Properties props = new Properties();
    props.setProperty("bootstrap.servers", kafka.bootstrapServers());
    try (Admin admin = Admin.create(props)) {
      admin.deleteTopics(List.of(TOPIC)).all().get();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (admin.listTopics().names().get().contains(TOPIC) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
    }
    kafka.createTopics(1, List.of(), List.of(TOPIC));
  }

  @Test
  void shouldBuildAgainRatherThanReopenAnIndexKeptForATopicThatWasCreatedAgain(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir.resolve("kafka"))) {
      KafkaConnection connection = KafkaConnection.plain(kafka.bootstrapServers());
      kafka.createTopics(1, List.of(), List.of(TOPIC));
      ItemsTopic.write(connection, TOPIC, items("old-", 150));
      ItemsTopic.Loader loader = new ItemsTopic.Loader(connection, TOPIC, Duration.ofSeconds(30), 4);
      Path kept = dir.resolve("index");
      try (LiveCatalog first = load(loader, kept)) {
        assertThat(first.catalog().approximate()).isTrue();
        assertThat(mailsTaken).as("loaded, then built").isEqualTo(2);
      } // closing commits the index with its offsets
      try (LiveCatalog again = load(loader, kept)) {
        assertThat(again.catalog().size()).isEqualTo(150);
        assertThat(mailsTaken).as("the same topic: the kept index reopened, not built").isEqualTo(1);
      }

      recreate(kafka); // the same name, another topic id, fewer records than the kept offsets
      ItemsTopic.write(connection, TOPIC, items("new-", 120));
      try (LiveCatalog rebuilt = load(loader, kept)) {
        ItemCatalog catalog = rebuilt.catalog();
        assertThat(catalog.size()).isEqualTo(120);
        assertThat(mailsTaken).as("built again").isEqualTo(2);
        assertThat(catalog.indexOf("old-0")).as("no item of the old topic").isEqualTo(-1);
        assertThat(catalog.indexOf("new-0")).isNotNegative();
      }
    }
  }

  @Test
  void shouldReopenTheIndexOfAQuietTopicLongAfterItsCommitButBuildAgainOnceTheTopicMoved(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir.resolve("kafka"))) {
      KafkaConnection connection = KafkaConnection.plain(kafka.bootstrapServers());
      // tombstones may go 1 ms after they are written: a commit is "too old" at once
      kafka.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1).configs(Map.of("cleanup.policy", "compact",
          "delete.retention.ms", "1"))));
      ItemsTopic.write(connection, TOPIC, items("a-", 150));
      ItemsTopic.Loader loader = new ItemsTopic.Loader(connection, TOPIC, Duration.ofSeconds(30), 4);
      assertThat(loader.endOffsets()).isEqualTo(Map.of(0, 150L));
      Path kept = dir.resolve("index");
      try (LiveCatalog first = load(loader, kept)) {
        assertThat(mailsTaken).as("loaded, then built").isEqualTo(2);
      }
      Thread.sleep(50);
      try (LiveCatalog quiet = load(loader, kept)) {
        assertThat(quiet.catalog().size()).isEqualTo(150);
        assertThat(mailsTaken).as("nothing written since the commit: reopened").isEqualTo(1);
      }

      ItemsTopic.write(connection, TOPIC, items("b-", 1));
      Thread.sleep(50);
      try (LiveCatalog moved = load(loader, kept)) {
        assertThat(moved.catalog().size()).isEqualTo(151);
        assertThat(mailsTaken).as("written since, and the commit older than delete.retention.ms: built again").isEqualTo(2);
      }
    }
  }

  @Test
  void shouldBuildTheIndexWithoutKeepingItWhenNotAllowedToDescribeTheTopicsConfiguration(@TempDir Path dir) throws Exception {
    // an authorizer that allows what no ACL names; on the items topic everything but DescribeConfigs
    try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir.resolve("kafka"), Map.of(
        "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found", "true"))) {
      KafkaConnection connection = KafkaConnection.plain(kafka.bootstrapServers());
      kafka.createTopics(1, List.of(), List.of(TOPIC));
      ItemsTopic.write(connection, TOPIC, items("a-", 150));
      Properties props = new Properties();
      props.setProperty("bootstrap.servers", kafka.bootstrapServers());
      try (Admin admin = Admin.create(props)) {
        ResourcePattern items = new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL);
        admin.createAcls(List.of(
            new AclBinding(items, new AccessControlEntry("User:ANONYMOUS", "*", AclOperation.ALL, AclPermissionType.ALLOW)),
            new AclBinding(items, new AccessControlEntry("User:ANONYMOUS", "*", AclOperation.DESCRIBE_CONFIGS, AclPermissionType.DENY))))
            .all().get();
        ConfigResource configs = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (admin.describeConfigs(List.of(configs)).all().toCompletionStage().toCompletableFuture()
            .handle((ok, denied) -> denied == null).get() && System.nanoTime() < deadline) {
          Thread.sleep(50); // until the broker's authorizer has the ACL
        }
      }
      ItemsTopic.Loader loader = new ItemsTopic.Loader(connection, TOPIC, Duration.ofSeconds(30), 4);
      Path kept = dir.resolve("index");
      for (int load = 0; load < 2; load++) {
        try (LiveCatalog live = load(loader, kept)) {
          assertThat(live.catalog().size()).isEqualTo(150);
          assertThat(live.catalog().approximate()).isTrue();
          assertThat(mailsTaken).as("loaded, then built: nothing kept to reopen").isEqualTo(2);
        }
      }
      assertThat(ItemCatalog.committed(new ItemCatalog.Retrieval(100, 16, 100, 100, 16, kept.resolve("test").toString(), "")))
          .as("no index committed in the kept directory").isEmpty();
    }
  }

  @Test
  void shouldRefuseToReadFromAnOffsetOutsideThePartition(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir.resolve("kafka"))) {
      KafkaConnection connection = KafkaConnection.plain(kafka.bootstrapServers());
      kafka.createTopics(1, List.of(), List.of(TOPIC));
      ItemsTopic.write(connection, TOPIC, items("a-", 10));
      assertThatThrownBy(() -> CommittedRecords.readToEnd(connection, TOPIC, Map.of(0, 11L), Duration.ofSeconds(30),
          r -> true)).hasMessageContaining("offset 11 of topic 'items' partition 0 is outside the partition's [0, 10]");
      assertThat(CommittedRecords.readToEnd(connection, TOPIC, Map.of(0, 4L), Duration.ofSeconds(30), r -> r.offset() < 6))
          .as("stopped at offset 6: the next to read is 7, not the consumer's position").isEqualTo(Map.of(0, 7L));
    }
  }
}
