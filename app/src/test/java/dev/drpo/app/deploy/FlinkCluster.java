package dev.drpo.app.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Flink standalone session cluster of real processes: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}), on
 * Flink's own jars plus {@code target/flink-lib} (what compose mounts into lib/drpo), configured
 * with compose's {@code FLINK_PROPERTIES} and local addresses, ports and directories. Spoken to
 * through Flink's REST API.
 */
final class FlinkCluster {
  /** What Flink's start scripts pass to every JVM on Java 17 (env.java.default-opts.all). */
  static final List<String> JAVA_OPTS = List.of(
      "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Processes processes;
  private final List<Path> classpath;
  private final Path confDir;
  private final int restPort;
  private final Map<String, Process> taskManagers = new LinkedHashMap<>();
  private Process jobManager;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private FlinkCluster(Processes processes, List<Path> classpath, Path confDir, int restPort) {
    this.processes = processes;
    this.classpath = classpath;
    this.confDir = confDir;
    this.restPort = restPort;
  }

  /**
   * Writes the configuration and starts the JobManager.
   *
   * @param dataDir stands for compose's /flink-data volume
   * @param more further settings (e.g. the metric reporter's port range)
   */
  static FlinkCluster start(Processes processes, List<Path> classpath, Path confDir, Path dataDir, Map<String, String> more)
      throws Exception {
    int restPort = Processes.freePort();
    Map<String, String> conf = new LinkedHashMap<>();
    for (String line : ComposeFile.environment("jobmanager").get("FLINK_PROPERTIES").split("\n")) {
      if (!line.isBlank() && !line.strip().startsWith("#")) {
        String[] kv = line.split(":", 2);
        conf.put(kv[0].trim(), kv[1].trim().replace("file:///flink-data", dataDir.toUri().toString().replaceAll("/$", "")));
      }
    }
    conf.put("jobmanager.rpc.address", "localhost");
    conf.put("jobmanager.rpc.port", String.valueOf(Processes.freePort()));
    conf.put("jobmanager.bind-host", "localhost");
    conf.put("taskmanager.bind-host", "localhost");
    conf.put("taskmanager.host", "localhost");
    conf.put("rest.address", "localhost");
    conf.put("rest.bind-address", "localhost");
    conf.put("rest.port", String.valueOf(restPort));
    conf.putAll(more);
    List<String> lines = new ArrayList<>();
    conf.forEach((k, v) -> lines.add(k + ": " + v));
    Files.createDirectories(confDir);
    Files.write(confDir.resolve("config.yaml"), lines);
    FlinkCluster cluster = new FlinkCluster(processes, classpath, confDir, restPort);
    cluster.startJobManager();
    return cluster;
  }

  /** The JobManager process (again, after {@link #killJobManager}: same configuration, ports and directories); returns once its REST API answers. */
  void startJobManager() throws Exception {
    jobManager = processes.start("jobmanager", classpath, jvm("-Xmx768m"),
        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", List.of("--configDir", confDir.toString()), Map.of());
    awaitRest(Duration.ofSeconds(90));
  }

  /** kill -9 of the JobManager process. */
  void killJobManager() {
    Processes.kill(jobManager);
  }

  private static List<String> jvm(String... more) {
    List<String> args = new ArrayList<>(JAVA_OPTS);
    args.addAll(List.of(more));
    return args;
  }

  /**
   * Starts a TaskManager process with this resource id (its name in the REST API), with the JVM
   * options and memory settings Flink's taskmanager.sh derives from the configuration (BashJavaUtils).
   */
  void startTaskManager(String id) throws Exception {
    List<String> derived = new ArrayList<>();
    int exit = processes.run("bash-java-utils", classpath, List.of(), "org.apache.flink.runtime.util.bash.BashJavaUtils",
        List.of("GET_TM_RESOURCE_PARAMS", "--configDir", confDir.toString()), Map.of(), Duration.ofSeconds(60));
    for (String line : processes.output("bash-java-utils").split("\n")) {
      if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
        derived.add(line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim());
      }
    }
    if (exit != 0 || derived.size() < 2) {
      throw new IllegalStateException("BashJavaUtils failed: " + processes.log("bash-java-utils"));
    }
    List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString(), "-D", "taskmanager.resource-id=" + id));
    args.addAll(List.of(derived.get(derived.size() - 1).split(" ")));
    taskManagers.put(id, processes.start(id, classpath, jvm(derived.get(derived.size() - 2).split(" ")),
        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", args, Map.of()));
  }

  /** kill -9 of a TaskManager process. */
  void killTaskManager(String id) {
    Processes.kill(taskManagers.remove(id));
  }

  /** Waits until this many TaskManagers are registered. */
  void awaitTaskManagers(int n, Duration timeout) throws Exception {
    Await.until(() -> get("/taskmanagers").get("taskmanagers").size() >= n, timeout, n + " TaskManagers registered");
  }

  /** The client of compose's {@code job} service: Flink's CLI ({@code flink ...}) as its own process, with these environment variables. */
  int flink(String name, List<String> args, Map<String, String> environment, Duration timeout) throws InterruptedException {
    Map<String, String> env = new LinkedHashMap<>(environment);
    env.put("FLINK_CONF_DIR", confDir.toString());
    return processes.run(name, classpath, jvm("-Xmx512m"), "org.apache.flink.client.cli.CliFrontend", args, env, timeout);
  }

  String restAddress() {
    return "localhost:" + restPort;
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + restAddress() + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + path + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  JsonNode post(String path, Object body) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + restAddress() + path))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IOException("POST " + path + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** The one job in this state, if any. */
  String jobIn(String state) throws IOException, InterruptedException {
    for (JsonNode job : get("/jobs/overview").get("jobs")) {
      if (job.get("state").asText().equals(state)) {
        return job.get("jid").asText();
      }
    }
    return null;
  }

  String awaitJob(String state, Duration timeout) throws Exception {
    String[] found = new String[1];
    Await.until(() -> (found[0] = jobIn(state)) != null, timeout, "a job " + state);
    return found[0];
  }

  /** The TaskManagers that run a task of the job. */
  Set<String> taskManagersOf(String jobId) throws IOException, InterruptedException {
    Set<String> ids = new TreeSet<>();
    for (JsonNode vertex : get("/jobs/" + jobId).get("vertices")) {
      for (JsonNode tm : get("/jobs/" + jobId + "/vertices/" + vertex.get("id").asText() + "/taskmanagers").get("taskmanagers")) {
        ids.add(tm.get("taskmanager-id").asText());
      }
    }
    return ids;
  }

  /**
   * Waits until the job failed over after {@code since} (its exception history has an entry) and runs
   * again; when the failure was recorded (the JobManager's clock, this machine's).
   */
  long awaitFailover(String jobId, long since, Duration timeout) throws Exception {
    long[] failedAt = new long[1];
    Await.until(() -> {
      failedAt[0] = failures(jobId).stream().mapToLong(Long::longValue).max().orElse(0);
      return failedAt[0] > since && get("/jobs/" + jobId).get("state").asText().equals("RUNNING");
    }, timeout, "the job's failover");
    return failedAt[0];
  }

  /** When each failure in the job's exception history was recorded (the JobManager's clock, this machine's). */
  List<Long> failures(String jobId) throws IOException, InterruptedException {
    List<Long> times = new ArrayList<>();
    for (JsonNode entry : get("/jobs/" + jobId + "/exceptions").get("exceptionHistory").get("entries")) {
      times.add(entry.get("timestamp").asLong());
    }
    return times;
  }

  /** Stops the job with a savepoint (no drain), through the REST API; its location. */
  String stopWithSavepoint(String jobId, Path directory, Duration timeout) throws Exception {
    String trigger = post("/jobs/" + jobId + "/stop", Map.of("targetDirectory", directory.toUri().toString(), "drain", false))
        .get("request-id").asText();
    JsonNode[] status = new JsonNode[1];
    Await.until(() -> (status[0] = get("/jobs/" + jobId + "/savepoints/" + trigger)).get("status").get("id").asText()
        .equals("COMPLETED"), timeout, "the savepoint");
    JsonNode operation = status[0].get("operation");
    if (operation.has("failure-cause")) {
      throw new IllegalStateException("savepoint failed: " + operation.get("failure-cause"));
    }
    return operation.get("location").asText();
  }

  private void awaitRest(Duration timeout) throws Exception {
    Await.until(() -> {
      try {
        get("/config");
        return true;
      } catch (IOException notYet) {
        return false;
      }
    }, timeout, "the JobManager's REST API at " + restAddress());
  }
}
