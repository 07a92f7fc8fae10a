package dev.drpo.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpo.app.deploy.ComposeFile;
import dev.drpo.job.JobConfig;
import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.operators.serve.ScorerOperator;
import dev.drpo.operators.session.UserSessionsOperator;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/kubernetes cannot be applied here (no cluster), so it is checked as far as can be without
 * one: every field is one the operator's FlinkDeployment schema knows, and what the job relies on
 * (its entry class, the jar, its config mounted from the ConfigMap and accepted by the job, the
 * checkpoint and savepoint directories, the secrets its settings name, the metrics port) agrees with
 * the job's own code and settings, so a renamed class or setting breaks the build.
 */
class FlinkDeploymentManifestTest {
  static final Path DIR = ComposeFile.ROOT.resolve("deploy/kubernetes");
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode yaml(String file) throws Exception {
    return JSON.valueToTree(new Yaml().load(Files.readString(DIR.resolve(file))));
  }

  static JsonNode deployment() throws Exception {
    return yaml("flink-deployment.yaml");
  }

  static JsonNode container() throws Exception {
    return deployment().at("/spec/podTemplate/spec/containers/0");
  }

  /** The job's settings file as the pods see it: the ConfigMap's entry named by the --config argument. */
  static Path mountedConfig(Path into) throws Exception {
    List<String> args = new ArrayList<>();
    deployment().at("/spec/job/args").forEach(a -> args.add(a.asText()));
    Path path = Path.of(args.get(args.indexOf("--config") + 1));
    JsonNode mount = null;
    for (JsonNode m : container().get("volumeMounts")) {
      if (path.getParent().equals(Path.of(m.get("mountPath").asText()))) {
        mount = m;
      }
    }
    assertThat(mount).as("a volume is mounted where --config points").isNotNull();
    String volume = mount.get("name").asText();
    String configMap = null;
    for (JsonNode v : deployment().at("/spec/podTemplate/spec/volumes")) {
      if (v.get("name").asText().equals(volume)) {
        configMap = v.at("/configMap/name").asText();
      }
    }
    JsonNode map = yaml("drpo-config.yaml");
    assertThat(map.at("/metadata/name").asText()).as("the volume is the ConfigMap of drpo-config.yaml").isEqualTo(configMap);
    JsonNode entry = map.at("/data").get(path.getFileName().toString());
    assertThat(entry).as("the ConfigMap has the file --config names").isNotNull();
    Path file = into.resolve("job.yaml");
    Files.writeString(file, entry.asText());
    return file;
  }

  @Test
  void shouldStartTheJobsEntryClassFromTheJarTheImageHolds() throws Exception {
    JsonNode job = deployment().at("/spec/job");
    Class<?> entry = Class.forName(job.get("entryClass").asText());
    assertThat(entry.getMethod("main", String[].class)).isNotNull();

    String jar = job.get("jarURI").asText();
    assertThat(jar).startsWith("local://");
    assertThat(Files.readAllLines(DIR.resolve("Dockerfile")))
        .contains("COPY streaming-job/target/drpo-job.jar " + jar.substring("local://".length()));
    assertThat(deployment().at("/spec/flinkVersion").asText()).isEqualTo("v2_2");
    assertThat(job.get("upgradeMode").asText()).as("rollouts go through savepoints").isEqualTo("savepoint");
  }

  /**
   * The mounted settings as the job loads them. KAFKA_PASSWORD, which the pods get from the Secret,
   * is not set here: the one setting that names it is given a literal password instead.
   */
  static JobConfig load(Path settings) {
    return JobConfig.load(settings, Map.of("kafka.properties.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"drpo\" password=\"not-the-secret\";"));
  }

  @Test
  void shouldGiveTheJobASettingsFileItAcceptsWithTheClustersDirectoriesAndParallelism(@TempDir Path tmp) throws Exception {
    JobConfig config = load(mountedConfig(tmp));
    JsonNode flink = deployment().at("/spec/flinkConfiguration");

    assertThat(flink.get("execution.checkpointing.dir").asText()).isEqualTo(config.checkpoints().directory());
    assertThat(flink.get("execution.checkpointing.savepoint-dir").asText()).as("the operator's upgrade savepoints")
        .isEqualTo(config.checkpoints().savepointDirectory());
    assertThat(flink.get("state.backend.type").asText()).isEqualTo("rocksdb");
    assertThat(deployment().at("/spec/job/parallelism").asInt()).as("job.parallelism decides; the two must not disagree")
        .isEqualTo(config.job().parallelism());
    assertThat(flink.get("classloader.parent-first-patterns.additional").asText()).as("as in docker-compose.yml")
        .isEqualTo(composeFlinkProperty("classloader.parent-first-patterns.additional"));
    for (String dir : List.of(config.checkpoints().directory(), config.checkpoints().savepointDirectory())) {
      assertThat(mounted(Path.of(dir.substring("file://".length())))).as(dir + " is on a mounted volume").isTrue();
    }
  }

  /** The largest catalog the docs advertise (README, docs/benchmarks.md "Catalog at scale"). */
  static final long ADVERTISED_ITEMS = 1_000_000;
  static final int ADVERTISED_DIMENSION = 128;
  /** Heap per item, measured at 1M items (docs/benchmarks.md: 610 MB after a full GC): the embedding, its id, the maps. */
  static final long HEAP_BYTES_PER_ITEM = 640;
  /** What the rest of a TaskManager's tasks hold on the heap: two slots of scorers' waiting requests, encoders, the trainer. */
  static final long OTHER_TASK_HEAP = 512L << 20;
  /** JavaCPP's native memory beside the exact search's matrix: the policies in the scorers, the trainer's network and batches. */
  static final long OTHER_NATIVE = 256L << 20;
  /** Rows of the exact search's product per native block (model's EmbeddingMatrix.BLOCK_ROWS). */
  static final long PRODUCT_BLOCK_ROWS = 16_384;

  @Test
  void shouldGiveATaskManagerTheMemoryTheAdvertisedCatalogNeeds(@TempDir Path tmp) throws Exception {
    JobConfig config = load(mountedConfig(tmp));
    Configuration flink = new Configuration();
    deployment().at("/spec/flinkConfiguration").fields().forEachRemaining(f -> flink.setString(f.getKey(), f.getValue().asText()));
    // the operator sets the process size from the pod's resource
    flink.set(TaskManagerOptions.TOTAL_PROCESS_MEMORY, MemorySize.parse(deployment().at("/spec/taskManager/resource/memory").asText()));
    TaskExecutorProcessSpec memory = TaskExecutorProcessUtils.processSpecFromConfig(flink);

    int scorers = flink.get(TaskManagerOptions.NUM_TASK_SLOTS);
    int batch = ItemCatalog.productColumns(config.scorer().maxBatch()); // a batch padded as the product pads it
    // the exact search's matrix, with room to grow (ItemCatalog: n + n / 4 + 16 rows), and each scorer's block of the product
    long matrix = (ADVERTISED_ITEMS + ADVERTISED_ITEMS / 4 + 16) * ADVERTISED_DIMENSION * Float.BYTES;
    long products = (long) scorers * PRODUCT_BLOCK_ROWS * batch * Float.BYTES;
    long nativeNeed = matrix + products + OTHER_NATIVE;
    // each scorer's scores of a batch with every item on the heap, while it searches exactly
    long scores = (long) scorers * ADVERTISED_ITEMS * batch * Float.BYTES;
    // each slot's sessions stage holds the sessions of its active users between checkpoints
    long sessions = scorers * UserSessionsOperator.MAX_HEAP_BYTES;
    // and each scorer the histories of its active users
    long histories = scorers * ScorerOperator.maxHeapBytes(config.scorer(), ADVERTISED_DIMENSION);
    long heap = ADVERTISED_ITEMS * HEAP_BYTES_PER_ITEM + ((long) config.retrieval().ramBufferMb() << 20) + scores + sessions
        + histories + OTHER_TASK_HEAP;
    System.out.printf("TaskManager of %s: task heap %d MB (the catalog of %,d items while its index builds needs %d MB), task"
            + " off-heap %d MB (the exact search's matrix %d MB and products %d MB, the policies %d MB), managed %d MB (RocksDB)%n",
        flink.get(TaskManagerOptions.TOTAL_PROCESS_MEMORY).toHumanReadableString(), memory.getTaskHeapSize().getMebiBytes(),
        ADVERTISED_ITEMS, heap >> 20, memory.getTaskOffHeapSize().getMebiBytes(), matrix >> 20, products >> 20, OTHER_NATIVE >> 20,
        memory.getManagedMemorySize().getMebiBytes());
    assertThat(memory.getTaskHeapSize().getBytes()).as("the embeddings on the heap and Lucene's indexing buffer while it builds")
        .isGreaterThanOrEqualTo(heap);
    assertThat(memory.getTaskOffHeapSize().getBytes()).as("the exact search's native matrix (until the index is built)")
        .isGreaterThanOrEqualTo(nativeNeed);
    assertThat(memory.getManagedMemorySize().getBytes()).as("RocksDB's share for the users' state").isGreaterThanOrEqualTo(512L << 20);
  }

  @Test
  void shouldFillEverySecretTheSettingsNameFromTheSecretAndMountTheCertificate(@TempDir Path tmp) throws Exception {
    Set<String> named = new LinkedHashSet<>();
    Matcher m = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}").matcher(Files.readString(mountedConfig(tmp)));
    while (m.find()) {
      named.add(m.group(1));
    }
    Map<String, JsonNode> env = new HashMap<>();
    container().get("env").forEach(e -> env.put(e.get("name").asText(), e));
    JsonNode secret = yaml("kafka-secret.yaml");

    assertThat(named).isNotEmpty();
    for (String name : named) {
      assertThat(env).as("${env:" + name + "}").containsKey(name);
      JsonNode ref = env.get(name).at("/valueFrom/secretKeyRef");
      assertThat(ref.get("name").asText()).isEqualTo(secret.at("/metadata/name").asText());
      assertThat(secret.at("/stringData").has(ref.get("key").asText())).as("key " + ref.get("key")).isTrue();
    }
    JsonNode settings = JSON.valueToTree(new Yaml().load(Files.readString(mountedConfig(tmp))));
    String truststore = settings.at("/kafka/properties").path("ssl.truststore.location").asText();
    assertThat(mounted(Path.of(truststore))).as("the broker's CA, " + truststore + ", is on a mounted volume").isTrue();
  }

  @Test
  void shouldExposeThePrometheusReporterOnTheContainersMetricsPort() throws Exception {
    JsonNode flink = deployment().at("/spec/flinkConfiguration");
    Class.forName(flink.get("metrics.reporter.prom.factory.class").asText());
    List<Integer> ports = new ArrayList<>();
    container().get("ports").forEach(p -> ports.add(p.get("containerPort").asInt()));

    assertThat(ports).contains(flink.get("metrics.reporter.prom.port").asInt());
  }

  @Test
  void shouldUseOnlyFieldsTheOperatorsSchemaKnows() throws Exception {
    JsonNode crd;
    try (InputStream in = getClass().getResourceAsStream("/META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml")) {
      crd = JSON.valueToTree(new Yaml().load(in));
    }
    JsonNode schema = null;
    for (JsonNode version : crd.at("/spec/versions")) {
      if (version.get("name").asText().equals("v1beta1")) {
        schema = version.at("/schema/openAPIV3Schema");
      }
    }
    assertThat(schema).as("the CRD's schema of FlinkDeployment v1beta1").isNotNull();
    List<String> problems = new ArrayList<>();
    conform(deployment().get("spec"), schema.at("/properties/spec"), "/spec", problems);

    assertThat(problems).isEmpty();
    assertThat(deployment().get("apiVersion").asText()).isEqualTo(crd.at("/spec/group").asText() + "/v1beta1");
    assertThat(deployment().get("kind").asText()).isEqualTo(crd.at("/spec/names/kind").asText());
  }

  /**
   * Whether {@code node} fits {@code schema}: known fields, their types, enum values. The CRD on
   * Maven Central here is operator 1.10's, which predates Flink 2.x: its {@code flinkVersion} enum
   * stops at v1_20, so that one value is checked by {@link #shouldStartTheJobsEntryClassFromTheJarTheImageHolds}.
   */
  static void conform(JsonNode node, JsonNode schema, String path, List<String> problems) {
    if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false) && !schema.has("properties")) {
      return;
    }
    String type = schema.path("type").asText(schema.has("properties") ? "object" : "");
    if (node.isObject()) {
      if (!type.equals("object")) {
        problems.add(path + ": an object where the schema has " + type);
        return;
      }
      node.fields().forEachRemaining(f -> {
        String at = path + "/" + f.getKey();
        if (schema.path("properties").has(f.getKey())) {
          conform(f.getValue(), schema.get("properties").get(f.getKey()), at, problems);
        } else if (schema.path("additionalProperties").isObject()) {
          conform(f.getValue(), schema.get("additionalProperties"), at, problems);
        } else if (!schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
          problems.add(at + ": not a field of the schema");
        }
      });
    } else if (node.isArray()) {
      if (!type.equals("array")) {
        problems.add(path + ": a list where the schema has " + type);
        return;
      }
      node.forEach(item -> conform(item, schema.get("items"), path + "[]", problems));
    } else if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
      if (!node.isTextual() && !node.isIntegralNumber()) {
        problems.add(path + ": neither an integer nor a string");
      }
    } else {
      boolean fits = switch (type) {
        case "string" -> node.isTextual();
        case "integer" -> node.isIntegralNumber();
        case "number" -> node.isNumber();
        case "boolean" -> node.isBoolean();
        default -> false;
      };
      if (!fits) {
        problems.add(path + ": " + node + " is not a " + type);
      }
      if (schema.has("enum") && !path.equals("/spec/flinkVersion")) {
        List<String> allowed = new ArrayList<>();
        schema.get("enum").forEach(e -> allowed.add(e.asText()));
        if (!allowed.contains(node.asText())) {
          problems.add(path + ": " + node + " is not one of " + allowed);
        }
      }
    }
  }

  static boolean mounted(Path path) throws Exception {
    for (JsonNode m : container().get("volumeMounts")) {
      if (path.startsWith(Path.of(m.get("mountPath").asText()))) {
        return true;
      }
    }
    return false;
  }

  static String composeFlinkProperty(String key) throws Exception {
    for (String line : ComposeFile.environment("jobmanager").get("FLINK_PROPERTIES").split("\n")) {
      if (line.trim().startsWith(key + ":")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    throw new AssertionError(key + " is not in docker-compose.yml's FLINK_PROPERTIES");
  }
}
