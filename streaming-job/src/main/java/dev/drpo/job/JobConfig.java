package dev.drpo.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.drpo.job.kafka.KafkaConnection;
import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.model.filter.RunningQuantile;
import dev.drpo.model.objective.Prefiltered;
import dev.drpo.model.policy.PolicyConfig;
import dev.drpo.operators.DataPath;
import dev.drpo.operators.event.DecoderConfig;
import dev.drpo.operators.event.RewardFunction;
import dev.drpo.operators.filter.FilterConfig;
import dev.drpo.operators.quality.QualityConfig;
import dev.drpo.operators.serve.Exploration;
import dev.drpo.operators.serve.ScorerConfig;
import dev.drpo.operators.session.SessionConfig;
import dev.drpo.operators.train.TrainerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The job's settings: the defaults in conf/job.yaml (bundled in the jar), then a user's YAML file,
 * then {@code key=value} overrides. Every key must be one the defaults know, and every value is
 * checked when the config is built, so a bad setting stops the job before it starts with a message
 * naming the key. Typed views build the operators' configs.
 */
public final class JobConfig implements Serializable {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private final Map<String, String> values;
  /** Where each value not from the defaults came from (a file, a bundled file, --set). */
  private final Map<String, String> origins;

  private JobConfig(Map<String, String> values, Map<String, String> origins) {
    this.values = values;
    this.origins = origins;
    validate();
  }

  /** The documented defaults. */
  public static JobConfig defaults() {
    return new JobConfig(readDefaults(), new TreeMap<>());
  }

  /**
   * The defaults with the settings of a YAML file bundled as a resource beside {@code owner} (the
   * demo's simulator.yaml), named in errors by its resource path.
   */
  public static JobConfig bundled(Class<?> owner, String resource) {
    Map<String, String> values = readDefaults();
    Map<String, String> origins = new TreeMap<>();
    merge(values, origins, read(owner, resource), resource);
    return new JobConfig(values, origins);
  }

  /** Defaults, then the file (may be null), then overrides. */
  public static JobConfig load(Path file, Map<String, String> overrides) {
    Map<String, String> values = readDefaults();
    Map<String, String> origins = new TreeMap<>();
    if (file != null) {
      try {
        merge(values, origins, flatten(new YAMLMapper().readTree(Files.readAllBytes(file))), file.toString());
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read config " + file + ": " + e.getMessage(), e);
      }
    }
    merge(values, origins, overrides, "--set");
    return new JobConfig(values, origins);
  }

  /** This config with more overrides. */
  public JobConfig with(Map<String, String> overrides) {
    Map<String, String> copyValues = new TreeMap<>(values);
    Map<String, String> copyOrigins = new TreeMap<>(origins);
    merge(copyValues, copyOrigins, overrides, "--set");
    return new JobConfig(copyValues, copyOrigins);
  }

  public Map<String, String> values() {
    return new TreeMap<>(values);
  }

  private static Map<String, String> readDefaults() {
    return read(JobConfig.class, "/job.yaml");
  }

  static Map<String, String> read(Class<?> owner, String resource) {
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the bundled " + resource + " is missing from the jar");
      }
      return flatten(new YAMLMapper().readTree(in));
    } catch (IOException e) {
      throw new IllegalStateException("the bundled " + resource + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static void merge(Map<String, String> into, Map<String, String> origins, Map<String, String> from, String source) {
    for (Map.Entry<String, String> e : from.entrySet()) {
      if (!into.containsKey(e.getKey()) && !e.getKey().startsWith(KafkaConnection.PREFIX)) {
        throw new IllegalArgumentException(source + ": unknown setting '" + e.getKey() + "' (see conf/job.yaml for every key)");
      }
      into.put(e.getKey(), e.getValue());
      origins.put(e.getKey(), source);
    }
  }

  private static Map<String, String> flatten(JsonNode root) {
    Map<String, String> flat = new TreeMap<>();
    if (root != null && !root.isNull() && !root.isMissingNode()) {
      flatten("", root, flat);
    }
    return flat;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> flat) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), flat);
      }
    } else {
      flat.put(prefix, node.isNull() ? "" : node.asText());
    }
  }

  private IllegalArgumentException bad(String key, String expected) {
    return new IllegalArgumentException(origins.getOrDefault(key, "defaults") + ": " + key + ": expected " + expected
        + ", got '" + values.get(key) + "'");
  }

  private String string(String key) {
    String value = values.get(key);
    if (value == null) {
      throw new IllegalStateException("the code reads '" + key + "', which conf/job.yaml does not define");
    }
    return value.trim();
  }

  private int integer(String key, int min) {
    try {
      int v = Integer.parseInt(string(key));
      if (v >= min) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw bad(key, "an integer >= " + min);
  }

  private double number(String key, double min, double max) {
    try {
      double v = Double.parseDouble(string(key));
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw bad(key, "a number in [" + min + ", " + max + "]");
  }

  private Duration duration(String key) {
    try {
      return parseDuration(key, string(key));
    } catch (IllegalArgumentException e) {
      throw bad(key, "a duration such as 500ms, 10s, 5m, 2h or 1d");
    }
  }

  /** 500ms, 10s, 5m, 2h, 1d; a clear error naming {@code what} otherwise. */
  public static Duration parseDuration(String what, String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(what + ": expected a duration such as 500ms, 10s, 5m, 2h or 1d, got '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  private boolean flag(String key) {
    return switch (string(key).toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw bad(key, "true or false");
    };
  }

  private <E extends Enum<E>> E choice(String key, Class<E> type) {
    try {
      return parseChoice(key, string(key), type);
    } catch (IllegalArgumentException e) {
      throw bad(key, choices(type));
    }
  }

  /** The constant a setting names (any case, '-' for '_'); a clear error naming {@code what} otherwise. */
  public static <E extends Enum<E>> E parseChoice(String what, String text, Class<E> type) {
    try {
      return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": expected " + choices(type) + ", got '" + text + "'");
    }
  }

  /** How a setting names a constant: EXACTLY_ONCE is exactly-once. */
  public static String settingName(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static String choices(Class<? extends Enum<?>> type) {
    return "one of " + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT);
  }

  private String nonEmpty(String key) {
    if (string(key).isEmpty()) {
      throw bad(key, "a non-empty value");
    }
    return string(key);
  }

  /** Builds every typed view once, so any bad value fails here. */
  private void validate() {
    job();
    kafka();
    catalog();
    catalogLoadTimeout();
    catalogClockSkew();
    checkpoints();
    if (kafka().transactionTimeout().compareTo(checkpoints().interval()) < 0) {
      throw bad("kafka.transaction-timeout", "at least checkpoints.interval (" + string("checkpoints.interval") + ")");
    }
    decoder("validation");
    watermarks();
    interactionsMaxRate();
    dataPath();
    trainer(1);
    estimateWindow();
    scorer();
    serving();
    requests();
  }

  /** Where the Kafka sources start when the group has no committed offsets. */
  public enum StartingOffsets {
    EARLIEST,
    LATEST
  }

  /** {@code job.*}: the Flink job's name and default parallelism. */
  public record Job(String name, int parallelism) implements Serializable {}

  /** {@code kafka.topics.*}: every topic the job reads or writes. */
  public record Topics(String interactions, String recRequests, String recommendations, String policyVersions,
      String deadLetters, String items) implements Serializable {}

  /** How an output reaches its topic. */
  public enum Delivery {
    /** Written as made; after a failure a record may be written again. */
    AT_LEAST_ONCE,
    /** Written in a Kafka transaction committed with the next checkpoint: read_committed consumers see it then, once. */
    EXACTLY_ONCE
  }

  /** {@code kafka.delivery.*}: each output's delivery. */
  public record Deliveries(Delivery recommendations, Delivery policyVersions, Delivery deadLetters) implements Serializable {}

  /**
   * {@code kafka.*}: the cluster, the consumer group, the producers' settings.
   *
   * @param connection the servers and the client properties ({@code kafka.properties.*})
   * @param connectTimeout how long the check before start waits for the cluster
   * @param recommendationsLinger the answers' producer linger
   * @param requestsFetchWait the requests' consumer fetch.max.wait.ms
   */
  public record Kafka(KafkaConnection connection, Duration connectTimeout, String groupId, StartingOffsets startingOffsets,
      String transactionalIdPrefix, Duration transactionTimeout, int maxMessageBytes, Topics topics, Deliveries delivery,
      Duration recommendationsLinger, Duration requestsFetchWait) implements Serializable {
    public String bootstrapServers() {
      return connection.bootstrapServers();
    }

    /** Setting name -> topic, for every topic the job reads or writes. */
    public Map<String, String> topicsBySetting() {
      Map<String, String> all = new LinkedHashMap<>();
      all.put("kafka.topics.interactions", topics.interactions());
      all.put("kafka.topics.rec-requests", topics.recRequests());
      all.put("kafka.topics.recommendations", topics.recommendations());
      all.put("kafka.topics.policy-versions", topics.policyVersions());
      all.put("kafka.topics.dead-letters", topics.deadLetters());
      all.put("kafka.topics.items", topics.items());
      return all;
    }
  }

  /** {@code checkpoints.*}. */
  public record Checkpoints(Duration interval, String directory, String savepointDirectory, boolean incremental,
      boolean unaligned) implements Serializable {}

  /** {@code events.*} that are not the decoder's: the watermark's bounds. */
  public record Watermarks(Duration outOfOrderness, Duration idleness) implements Serializable {}

  /** {@code events.max-rate}: interaction events per second the job reads at most; 0 for no limit. */
  public double interactionsMaxRate() {
    return number("events.max-rate", 0, Double.MAX_VALUE);
  }

  /** {@code scorer.buffer-timeout}: how long the serving path's network buffers may wait to fill. */
  public record Serving(Duration bufferTimeout) implements Serializable {}

  /** {@code scorer.default-k} and {@code scorer.max-k}: what a request's k may be. */
  public record Requests(int defaultK, int maxK) implements Serializable {}

  public Job job() {
    return new Job(nonEmpty("job.name"), integer("job.parallelism", 1));
  }

  public Kafka kafka() {
    Topics topics = new Topics(nonEmpty("kafka.topics.interactions"), nonEmpty("kafka.topics.rec-requests"),
        nonEmpty("kafka.topics.recommendations"), nonEmpty("kafka.topics.policy-versions"), nonEmpty("kafka.topics.dead-letters"),
        nonEmpty("kafka.topics.items"));
    Deliveries delivery = new Deliveries(choice("kafka.delivery.recommendations", Delivery.class),
        choice("kafka.delivery.policy-versions", Delivery.class), choice("kafka.delivery.dead-letters", Delivery.class));
    Map<String, String> properties = new TreeMap<>();
    values.forEach((key, value) -> {
      if (key.startsWith(KafkaConnection.PREFIX)) {
        properties.put(key.substring(KafkaConnection.PREFIX.length()), value);
      }
    });
    return new Kafka(KafkaConnection.of(nonEmpty("kafka.bootstrap-servers"), properties), duration("kafka.connect-timeout"),
        nonEmpty("kafka.group-id"), choice("kafka.starting-offsets", StartingOffsets.class), nonEmpty("kafka.transactional-id-prefix"),
        duration("kafka.transaction-timeout"), integer("kafka.max-message-bytes", 1024), topics, delivery,
        duration("kafka.recommendations-linger"), duration("kafka.requests-fetch-wait"));
  }

  /** {@code catalog.file}: a CSV of a fixed catalog, or empty to follow the items topic. */
  public Optional<Path> catalog() {
    return string("catalog.file").isEmpty() ? Optional.empty() : Optional.of(Path.of(string("catalog.file")));
  }

  public Checkpoints checkpoints() {
    return new Checkpoints(duration("checkpoints.interval"), nonEmpty("checkpoints.directory"),
        nonEmpty("checkpoints.savepoint-directory"), flag("checkpoints.incremental"), flag("checkpoints.unaligned"));
  }

  public Watermarks watermarks() {
    return new Watermarks(duration("events.out-of-orderness"), duration("events.idleness"));
  }

  public Serving serving() {
    return new Serving(duration("scorer.buffer-timeout"));
  }

  public Requests requests() {
    int defaultK = integer("scorer.default-k", 1);
    return new Requests(defaultK, integer("scorer.max-k", defaultK));
  }

  public int userFeatureDim() {
    return integer("events.user-feature-dim", 0);
  }

  public int historyLength() {
    return integer("state.history-length", 0);
  }

  public DecoderConfig decoder(String source) {
    return new DecoderConfig(source, integer("events.max-record-bytes", 1), duration("events.max-future").toMillis(),
        userFeatureDim(), -1e6, 1e6, RewardFunction.defaults());
  }

  public DataPath.Config dataPath() {
    SessionConfig sessions = new SessionConfig(duration("sessions.gap").toMillis(),
        duration("sessions.allowed-lateness").toMillis(), integer("sessions.max-events", 1));
    QualityConfig quality = new QualityConfig(choice("quality.aggregate", QualityConfig.Aggregate.class),
        number("quality.discount", Double.MIN_VALUE, 1), choice("quality.granularity", QualityConfig.Granularity.class),
        duration("quality.horizon").toMillis(), integer("quality.horizon-steps", 1), historyLength());
    double min = number("filter.min-kappa", Double.MIN_VALUE, 1);
    double max = number("filter.max-kappa", min, 1);
    FilterConfig filter = new FilterConfig(
        RunningQuantile.Config.count(integer("filter.bucket-samples", 1), integer("filter.buckets", 1), integer("filter.tick-samples", 1)),
        number("filter.initial-kappa", min, max), number("filter.target-ratio", Double.MIN_VALUE, 1), min, max,
        choice("filter.weighting", FilterConfig.Weighting.class), number("filter.beta", Double.MIN_VALUE, Double.MAX_VALUE),
        choice("quality.baseline", FilterConfig.Baseline.class), userFeatureDim());
    return new DataPath.Config(decoder(kafka().topics().interactions()), sessions, quality, filter);
  }

  /** @param actionDim the catalog's embedding dimension */
  public TrainerConfig trainer(int actionDim) {
    String[] widths = string("trainer.hidden").split(",");
    int[] hidden = new int[widths.length];
    for (int i = 0; i < widths.length; i++) {
      try {
        hidden[i] = Integer.parseInt(widths[i].trim());
      } catch (NumberFormatException e) {
        throw bad("trainer.hidden", "comma-separated layer widths such as 128,128");
      }
      if (hidden[i] < 1) {
        throw bad("trainer.hidden", "positive layer widths");
      }
    }
    int stateDim = userFeatureDim() + (historyLength() > 0 ? actionDim : 0);
    if (stateDim == 0) {
      throw bad("state.history-length", "> 0 when events.user-feature-dim is 0 (the state would be empty)");
    }
    PolicyConfig policy = new PolicyConfig(stateDim, hidden, actionDim, PolicyConfig.LOG_SIGMA_MIN, PolicyConfig.LOG_SIGMA_MAX,
        -1.0, number("trainer.learning-rate", Double.MIN_VALUE, 1), choice("trainer.network", PolicyConfig.Backbone.class));
    Prefiltered.Normalisation normalisation = choice("filter.weighting", FilterConfig.Weighting.class) == FilterConfig.Weighting.DRPO
        ? Prefiltered.Normalisation.MEAN : Prefiltered.Normalisation.SUM;
    return new TrainerConfig(nonEmpty("trainer.policy-name"), integer("trainer.batch-size", 1), integer("trainer.steps-per-batch", 1),
        duration("trainer.max-wait").toMillis(), integer("trainer.publish-every-steps", 1),
        duration("trainer.publish-interval").toMillis(), policy, integer("trainer.seed", 0), normalisation,
        number("trainer.max-mean-norm", Double.MIN_VALUE, Double.MAX_VALUE), number("trainer.max-loss", Double.MIN_VALUE, Double.MAX_VALUE));
  }

  /** {@code trainer.estimate-window}: how many of the newest logged answers each version's estimate uses. */
  public int estimateWindow() {
    return integer("trainer.estimate-window", 1);
  }

  public ScorerConfig scorer() {
    return new ScorerConfig(nonEmpty("trainer.policy-name"), userFeatureDim(), historyLength(),
        duration("sessions.gap").toMillis(), integer("scorer.exclude-recent", 0), duration("scorer.history-retention").toMillis(),
        integer("scorer.max-batch", 1), duration("scorer.max-delay").toMillis(), retrieval(), exploration());
  }

  /** {@code scorer.exploration} and its settings. */
  public Exploration exploration() {
    return new Exploration(choice("scorer.exploration", Exploration.Mode.class), number("scorer.explore-share", 0, 1),
        number("scorer.gaussian-scale", Double.MIN_VALUE, Double.MAX_VALUE),
        number("scorer.softmax-temperature", Double.MIN_VALUE, Double.MAX_VALUE), integer("scorer.softmax-candidates", 1));
  }

  /** {@code catalog.load-timeout}: how long an instance may take to load the items topic. */
  public Duration catalogLoadTimeout() {
    return duration("catalog.load-timeout");
  }

  /** {@code catalog.clock-skew}: how far an items record's timestamp may lag the job's clock. */
  public Duration catalogClockSkew() {
    return duration("catalog.clock-skew");
  }

  /**
   * {@code catalog.ann-above} and {@code catalog.hnsw.*}: when and how the scorers search
   * approximately; where they keep the index (under the job's name) and copy it (under
   * {@code checkpoints.directory}'s {@code catalog-index/} by default).
   */
  public ItemCatalog.Retrieval retrieval() {
    String local = string("catalog.hnsw.index-directory");
    String durable = string("catalog.hnsw.durable-directory");
    if (durable.isEmpty() && !local.isEmpty()) {
      durable = checkpoints().directory().replaceAll("/+$", "") + "/catalog-index";
    } else if (durable.equals("none") || local.isEmpty()) {
      durable = "";
    }
    return new ItemCatalog.Retrieval(integer("catalog.ann-above", 1), integer("catalog.hnsw.m", 2),
        integer("catalog.hnsw.beam-width", 1), integer("catalog.hnsw.candidates", 1), integer("catalog.hnsw.ram-buffer-mb", 16),
        local.isEmpty() ? "" : Path.of(local, job().name()).toString(), durable.isEmpty() ? "" : durable + "/" + job().name());
  }
}
