package dev.drpo.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drpo.app.cli.DrpoCli;
import dev.drpo.job.kafka.CheckedProducer;
import dev.drpo.job.kafka.CommittedRecords;
import dev.drpo.job.kafka.KafkaConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The job and the users against a broker process whose client listener takes SASL with SCRAM-SHA-512
 * only, in plaintext and over TLS (a self-signed certificate, its truststore password also from the
 * environment): with the password from an environment variable they connect, with a wrong one
 * `drpo run` ends at once with one line; the password appears in no line any process wrote.
 */
class SecuredKafkaIT {
  private static final String SECRET = "pw-" + UUID.randomUUID();
  private static final String SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule required";

  @ParameterizedTest
  @ValueSource(strings = {"SASL_PLAINTEXT", "SASL_SSL"})
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void shouldConnectWithThePasswordFromTheEnvironmentRefuseAWrongOneAtOnceAndNeverPrintIt(String protocol) throws Exception {
    Path dir = Distribution.freshDirectory("secured-kafka-it-" + protocol.toLowerCase(Locale.ROOT));
    String storePassword = "store-" + UUID.randomUUID();
    Map<String, String> broker = new LinkedHashMap<>(Map.of(
        "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:" + protocol,
        "sasl.enabled.mechanisms", "SCRAM-SHA-512",
        "listener.name.external.scram-sha-512.sasl.jaas.config", SCRAM + ";"));
    String tls = "";
    if (protocol.equals("SASL_SSL")) {
      Path truststore = selfSignedBrokerCertificate(dir, storePassword);
      broker.put("listener.name.external.ssl.keystore.location", dir.resolve("broker.p12").toString());
      broker.put("listener.name.external.ssl.keystore.type", "PKCS12");
      broker.put("listener.name.external.ssl.keystore.password", storePassword);
      broker.put("listener.name.external.ssl.key.password", storePassword);
      tls = "    ssl.truststore.location: " + truststore + "\n    ssl.truststore.type: PKCS12\n"
          + "    ssl.truststore.password: ${env:TRUSTSTORE_PASSWORD}\n";
    }
    try (Processes processes = new Processes(dir.resolve("logs"))) {
      KafkaBrokerProcess kafka = KafkaBrokerProcess.start(processes, dir.resolve("kafka"), Distribution.kafka(), broker,
          List.of("--add-scram", "SCRAM-SHA-512=[name=drpo,password=" + SECRET + "]"));
      kafka.createComposeTopics();
      Path config = dir.resolve("job.yaml");
      Files.writeString(config, """
          kafka:
            bootstrap-servers: %s
            connect-timeout: 20s
            properties:
              security.protocol: %s
              sasl.mechanism: SCRAM-SHA-512
              sasl.jaas.config: %s username="drpo" password="${env:KAFKA_PASSWORD}";
          %scheckpoints:
            interval: 2s
            directory: %s
            savepoint-directory: %s
          """.formatted(kafka.externalBootstrapServers(), protocol, SCRAM, tls, dir.resolve("checkpoints").toUri(),
          dir.resolve("savepoints").toUri()));
      Map<String, String> password = Map.of("KAFKA_PASSWORD", SECRET, "TRUSTSTORE_PASSWORD", storePassword);

      assertThat(processes.run("catalog", Distribution.drpo(), List.of(), DrpoCli.class.getName(),
          List.of("users", "--config", config.toString(), "--catalog-only"), password, Duration.ofSeconds(120)))
          .as("drpo users over SASL, see " + processes.log("catalog")).isZero();
      Process job = processes.start("run", Distribution.drpo(), List.of(), DrpoCli.class.getName(),
          List.of("run", "--config", config.toString()), password);
      Map<String, String> clientProperties = new LinkedHashMap<>(Map.of("security.protocol", protocol,
          "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", SCRAM + " username=\"drpo\" password=\"" + SECRET + "\";"));
      if (protocol.equals("SASL_SSL")) {
        clientProperties.putAll(Map.of("ssl.truststore.location", dir.resolve("truststore.p12").toString(),
            "ssl.truststore.type", "PKCS12", "ssl.truststore.password", storePassword));
      }
      KafkaConnection client = KafkaConnection.of(kafka.externalBootstrapServers(), clientProperties);
      try (CheckedProducer producer = CheckedProducer.to(client)) {
        producer.send("interactions", "{\"truncated".getBytes(StandardCharsets.UTF_8));
        producer.send("rec-requests", "{\"requestId\":\"r-1\",\"userId\":\"u-1\",\"ts\":%d,\"k\":3}"
            .formatted(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
      }
      Await.until(() -> !job.isAlive()
              || !CommittedRecords.read(client, "recommendations", Duration.ofSeconds(10)).isEmpty()
              && !CommittedRecords.read(client, "dead-letters", Duration.ofSeconds(10)).isEmpty(),
          Duration.ofSeconds(150), "the job's answer and dead letter over SASL");
      assertThat(job.isAlive()).as("the job runs, see " + processes.log("run")).isTrue();
      assertThat(processes.output("run")).as("where to look, printed at start").contains("Flink web UI: http://localhost:8081  (job ")
          .contains("savepoints: " + dir.resolve("savepoints").toUri());
      job.destroy(); // SIGTERM, as a container stop or Ctrl-C
      assertThat(job.waitFor(3, TimeUnit.MINUTES)).as("stopped with a savepoint, see " + processes.log("run")).isTrue();
      assertThat(job.exitValue()).isZero();
      String stopped = processes.output("run").lines().filter(l -> l.startsWith("stopped with a savepoint at ")).findFirst()
          .orElseThrow(() -> new AssertionError("no savepoint printed, see " + processes.log("run")));
      String savepoint = stopped.substring("stopped with a savepoint at ".length());
      assertThat(Path.of(URI.create(savepoint)).resolve("_metadata")).exists();
      assertThat(processes.output("run")).contains("resume with: ./drpo run --config " + config + " --from-savepoint " + savepoint);

      long start = System.nanoTime();
      int exit = processes.run("wrong-password", Distribution.drpo(), List.of(), DrpoCli.class.getName(),
          List.of("run", "--config", config.toString()), Map.of("KAFKA_PASSWORD", "not-" + SECRET, "TRUSTSTORE_PASSWORD", storePassword),
          Duration.ofSeconds(60));
      double seconds = (System.nanoTime() - start) / 1e9;
      List<String> lines = processes.output("wrong-password").lines().toList();
      System.out.printf(protocol + "/SCRAM-SHA-512: connected with the right password; a wrong one ended `drpo run` after %.1f s with: %s%n",
          seconds, lines.get(lines.size() - 1));
      assertThat(exit).isEqualTo(2);
      assertThat(lines.stream().filter(l -> l.startsWith("drpo:"))).containsExactly(lines.get(lines.size() - 1));
      assertThat(lines.get(lines.size() - 1)).startsWith("drpo: Kafka at " + kafka.externalBootstrapServers()
          + " refused the credentials (kafka.properties.*): Authentication failed");
      assertThat(processes.allLines()).as("no line of any process shows a password")
          .noneMatch(l -> l.contains(SECRET) || l.contains(storePassword));
    }
  }

  /** A broker key pair for CN=localhost in DIR/broker.p12, its certificate in DIR/truststore.p12 (the JDK's keytool). */
  private static Path selfSignedBrokerCertificate(Path dir, String password) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Path truststore = dir.resolve("truststore.p12");
    for (List<String> args : List.of(
        List.of("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=localhost",
            "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", dir.resolve("broker.p12").toString(), "-storetype", "PKCS12",
            "-storepass", password, "-keypass", password),
        List.of("-exportcert", "-alias", "broker", "-rfc", "-file", dir.resolve("broker.pem").toString(), "-keystore",
            dir.resolve("broker.p12").toString(), "-storepass", password),
        List.of("-importcert", "-noprompt", "-alias", "broker", "-file", dir.resolve("broker.pem").toString(), "-keystore",
            truststore.toString(), "-storetype", "PKCS12", "-storepass", password))) {
      List<String> command = new ArrayList<>(List.of(keytool));
      command.addAll(args);
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("keytool.out").toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("keytool " + args.get(0) + " failed: " + Files.readString(dir.resolve("keytool.out")));
      }
    }
    return truststore;
  }
}
