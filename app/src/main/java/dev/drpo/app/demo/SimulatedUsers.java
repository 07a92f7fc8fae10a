package dev.drpo.app.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpo.job.JobConfig;
import dev.drpo.job.kafka.CheckedProducer;
import dev.drpo.job.kafka.CommittedRecords;
import dev.drpo.job.kafka.KafkaConnection;
import dev.drpo.simulator.LoggingMix;
import dev.drpo.simulator.UserPopulation.Request;
import dev.drpo.simulator.UserPopulation;
import dev.drpo.simulator.World;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The simulator's users on the far side of Kafka, on a simulated clock. Offline, they replay what
 * the logging policy served them ({@link #replay}). Online, each {@link #tick} sends the requests
 * due, a share of them still served by the logging policy, waits for the job's answers on the
 * recommendations topic (read_committed: an answer is visible once the checkpoint that covers it
 * completes), and answers each with an interaction on the top item, in event-time order. Keeps the
 * tallies the demo reports and the exactly-once checks need. Not thread-safe: one driver owns it.
 */
public final class SimulatedUsers implements AutoCloseable {

  /** Topic names. */
  public record Topics(String interactions, String requests, String recommendations) {
    public static Topics of(JobConfig.Topics topics) {
      return new Topics(topics.interactions(), topics.recRequests(), topics.recommendations());
    }
  }

  /** What happened since the last {@link #drainTally()}. */
  public static final class Tally {
    public long requests;
    public long answered;
    public long fallbacks;
    /** Answers whose request explored. */
    public long explored;
    public long loggingServed;
    double servedReward;
    double servedOracle;
    double loggingReward;
    double loggingOracle;
    double servedAvailable;
    double servedCeiling;

    /** Mean latent reward of the job's answers (top item), NaN without answers. */
    public double servedReward() {
      return answered == 0 ? Double.NaN : servedReward / answered;
    }

    /** The job's served reward over the oracle's for the same users. */
    public double servedNormalized() {
      return answered == 0 ? Double.NaN : servedReward / servedOracle;
    }

    /**
     * What the oracle would have served the same requests in the job's place, over the oracle
     * without exclusions: below 1 by what the scorer's exclusion of the users' recent items costs.
     */
    public double availableNormalized() {
      return answered == 0 ? Double.NaN : servedAvailable / servedOracle;
    }

    /** What the linear oracle would have served the same requests in the job's place, over the oracle's: the reachable ceiling. */
    public double ceilingNormalized() {
      return answered == 0 ? Double.NaN : servedCeiling / servedOracle;
    }

    public double loggingReward() {
      return loggingServed == 0 ? Double.NaN : loggingReward / loggingServed;
    }

    public double loggingNormalized() {
      return loggingServed == 0 ? Double.NaN : loggingReward / loggingOracle;
    }

    /** Adds another tally's counts to this one. */
    public void add(Tally other) {
      requests += other.requests;
      answered += other.answered;
      fallbacks += other.fallbacks;
      explored += other.explored;
      loggingServed += other.loggingServed;
      servedReward += other.servedReward;
      servedOracle += other.servedOracle;
      loggingReward += other.loggingReward;
      loggingOracle += other.loggingOracle;
      servedAvailable += other.servedAvailable;
      servedCeiling += other.servedCeiling;
    }
  }

  private final World world;
  private final UserPopulation population;
  private final LoggingMix mix;
  private final double loggingShare;
  private final int k;
  private final Topics topics;
  private final SplittableRandom random;
  private final ServingCeiling ceiling;
  private final CheckedProducer producer;
  private final KafkaConsumer<byte[], byte[]> answers;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, Request> waiting = new HashMap<>();
  /** Per policy version (-1: fallback): its answers, the sum of the rewards their interactions logged, and of their latent rewards. */
  private final Map<Long, double[]> servedByVersion = new HashMap<>();
  private long unexpectedAnswers;
  private Tally tally = new Tally();

  /**
   * @param loggingShare share of online requests the logging policy still serves
   * @param k items per request
   * @param excludeRecent the scorer's scorer.exclude-recent: what the oracles may serve is reported under the same rule
   */
  public SimulatedUsers(World world, UserPopulation population, LoggingMix mix, double loggingShare, int k,
      int excludeRecent, KafkaConnection kafka, Topics topics, long seed) {
    this.world = world;
    this.population = population;
    this.mix = mix;
    this.loggingShare = loggingShare;
    this.k = k;
    this.topics = topics;
    this.random = new SplittableRandom(seed);
    this.ceiling = new ServingCeiling(world, excludeRecent);
    Properties p = kafka.clientProperties();
    p.setProperty("linger.ms", "5");
    // clients that must not lose their events wait out a broker outage: up to 5 min for the topics'
    // metadata (the default 1 min would end the users during a longer outage) and for each record
    p.setProperty("max.block.ms", "300000");
    p.setProperty("delivery.timeout.ms", "300000");
    producer = new CheckedProducer(p);
    answers = CommittedRecords.assigned(kafka, topics.recommendations(), false, new Properties(), Duration.ofSeconds(30));
  }

  /** Offline: every request due until {@code untilMs} is served by the logging policy and logged. */
  public void replay(long untilMs) {
    for (Request r : population.requestsUntil(untilMs, k)) {
      tally.requests++;
      send(servedByLoggingPolicy(r));
    }
    producer.flush();
  }

  /** The users' interests changed ({@link World#changeTastes}): the oracles follow. */
  public void tastesChanged() {
    ceiling.tastesChanged();
  }

  /** Online: the requests due until {@code untilMs}, their answers (waiting up to timeout), the users' responses. */
  public void tick(long untilMs, Duration timeout) throws IOException {
    List<Request> due = population.requestsUntil(untilMs, k);
    List<Event> events = new ArrayList<>();
    for (Request r : due) {
      tally.requests++;
      if (random.nextDouble() < loggingShare) {
        events.add(servedByLoggingPolicy(r));
      } else {
        waiting.put(r.requestId(), r);
        send(topics.requests(), r.json());
      }
    }
    producer.flush();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!waiting.isEmpty() && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> record : answers.poll(Duration.ofMillis(100))) {
        Event response = answer(json.readTree(record.value()));
        if (response != null) {
          events.add(response);
        }
      }
    }
    events.sort(Comparator.comparingLong(Event::ts));
    for (Event e : events) {
      send(e);
    }
    producer.flush();
  }

  private Event answer(JsonNode rec) {
    Request r = waiting.remove(rec.get("requestId").asText());
    if (r == null) {
      unexpectedAnswers++;
      return null;
    }
    if (rec.get("items").isEmpty()) { // the scorer is still loading its catalog: the site shows its default
      return servedByLoggingPolicy(r);
    }
    String top = rec.get("items").get(0).asText();
    long version = rec.get("policyVersion").asLong();
    JsonNode propensities = rec.path("propensities");
    double propensity = propensities.isArray() ? propensities.get(0).asDouble() : Double.NaN;
    boolean explored = rec.path("explored").asBoolean(false);
    tally.answered++;
    if (version < 0) {
      tally.fallbacks++;
    }
    tally.servedReward += population.latentReward(r, top);
    tally.servedOracle += world.oracleReward(r.user());
    int oracleItem = ceiling.oracle(r.user());
    int linearItem = ceiling.linear(r.user());
    tally.servedAvailable += world.latentReward(r.user(), oracleItem);
    tally.servedCeiling += world.latentReward(r.user(), linearItem);
    if (explored) {
      tally.explored++;
    }
    UserPopulation.Response response = population.respond(r, top, version, propensity, explored);
    double[] served = servedByVersion.computeIfAbsent(version, v -> new double[3]);
    served[0]++;
    served[1] += response.reward();
    served[2] += population.latentReward(r, top);
    return new Event(r, oracleItem, linearItem, response.json());
  }

  private Event servedByLoggingPolicy(Request r) {
    int item = world.log(r.user(), mix, random);
    String id = world.catalog().id(item);
    tally.loggingServed++;
    tally.loggingReward += population.latentReward(r, id);
    tally.loggingOracle += world.oracleReward(r.user());
    return new Event(r, item, item, population.respond(r, id, -1, Double.NaN, false).json());
  }

  private void send(String topic, byte[] value) {
    producer.send(topic, value);
  }

  /** An interaction goes out: what the oracles would have shown joins their histories of the user. */
  private void send(Event e) {
    ceiling.consumed(e.request().user(), e.oracleItem(), e.linearItem());
    send(topics.interactions(), e.bytes());
  }

  /** The tally since the last call, and a fresh one. */
  public Tally drainTally() {
    Tally t = tally;
    tally = new Tally();
    return t;
  }

  /** Requests sent to the job and not answered yet. */
  public int waiting() {
    return waiting.size();
  }

  /**
   * Answers to no request of these users that is waiting: a second answer to one of theirs
   * (exactly-once: must stay 0), or the answer to another client's request on the same topic.
   */
  public long unexpectedAnswers() {
    return unexpectedAnswers;
  }

  /** How many answers each policy version (-1: fallback) gave. */
  public Map<String, Long> versionsServed() {
    Map<String, Long> answers = new HashMap<>();
    servedByVersion.forEach((version, served) -> answers.put(Long.toString(version), (long) served[0]));
    return answers;
  }

  /** The answers a policy version gave, the mean reward their interactions logged, and their mean latent reward. */
  public record Served(long answers, double meanReward, double meanLatentReward) {}

  /** What each policy version's answers earned (fallbacks left out). */
  public Map<Long, Served> servedByVersion() {
    Map<Long, Served> all = new HashMap<>();
    servedByVersion.forEach((version, served) -> {
      if (version >= 0) {
        all.put(version, new Served((long) served[0], served[1] / served[0], served[2] / served[0]));
      }
    });
    return all;
  }

  @Override
  public void close() {
    producer.close();
    answers.close();
  }

  /** An interaction in answer to {@code request}, and what the oracle and the linear oracle would have shown instead. */
  private record Event(Request request, int oracleItem, int linearItem, byte[] bytes) {
    long ts() {
      return request.ts();
    }
  }
}
