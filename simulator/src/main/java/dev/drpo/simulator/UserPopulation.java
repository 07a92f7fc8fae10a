package dev.drpo.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * The simulated users as a live population, on a simulated event-time clock: users come back in
 * sessions of a few requests, ask for recommendations, and answer what they were shown with an
 * interaction event (the top item's logged reward, and the features the request carried, as a
 * serving system logs them) in the job's JSON schema. A configurable share
 * of the events is malformed, for robustness tests. Not thread-safe: one driver owns it.
 */
public final class UserPopulation {

  /**
   * @param requestsPerSession requests a user makes in one session (default 5)
   * @param requestGapMs event time between a user's requests within a session (default 20 s)
   * @param sessionGapMs mean event time between a user's sessions, exponential (default 45 min,
   *     longer than the job's default 30-minute session gap)
   * @param malformedShare share of interaction records that are corrupted (default 0)
   */
  public record Config(int requestsPerSession, long requestGapMs, long sessionGapMs, double malformedShare) {
    public Config {
      if (requestsPerSession < 1 || requestGapMs < 1 || sessionGapMs <= requestGapMs || malformedShare < 0 || malformedShare > 1) {
        throw new IllegalArgumentException("invalid population config: " + this);
      }
    }

    public static Config defaults() {
      return new Config(5, 20_000, 45 * 60_000L, 0.0);
    }

    /** Users who never pause: each asks every {@code intervalMs}, for ever (one endless session). */
    public static Config continuous(long intervalMs) {
      return new Config(Integer.MAX_VALUE, intervalMs, intervalMs + 1, 0.0);
    }

    public Config withMalformedShare(double share) {
      return new Config(requestsPerSession, requestGapMs, sessionGapMs, share);
    }
  }

  /** A user asking for k recommendations at event time ts; features are what the learner sees. */
  public record Request(String requestId, int user, String userId, long ts, int k, float[] features) {

    public byte[] json() {
      ObjectNode r = JSON.createObjectNode().put("requestId", requestId).put("userId", userId).put("ts", ts).put("k", k);
      r.set("userFeatures", featureList(features));
      return bytes(r);
    }

  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final World world;
  private final Config config;
  private final SplittableRandom random;
  private final PriorityQueue<long[]> next = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
  private final int[] left;
  private final ArrayNode[] featureJson;
  private long requests;
  private long events;
  private long malformed;

  /** Training users only: held-out users stay unseen, for evaluation. */
  public UserPopulation(World world, Config config, long startMs, long seed) {
    this.world = world;
    this.config = config;
    this.random = new SplittableRandom(seed);
    left = new int[world.trainingUsers()];
    featureJson = new ArrayNode[world.trainingUsers()];
    for (int u = 0; u < left.length; u++) {
      next.add(new long[] {startMs + (long) (random.nextDouble() * config.sessionGapMs()), u});
    }
  }

  /** Every request due at or before {@code untilMs}, in event-time order. */
  public List<Request> requestsUntil(long untilMs, int k) {
    List<Request> due = new ArrayList<>();
    while (next.peek()[0] <= untilMs) {
      long[] head = next.poll();
      int user = (int) head[1];
      if (left[user] == 0) {
        left[user] = config.requestsPerSession();
      }
      left[user]--;
      long gap = left[user] > 0 ? config.requestGapMs()
          : config.requestGapMs() + (long) (-Math.log(1 - random.nextDouble()) * config.sessionGapMs());
      next.add(new long[] {head[0] + gap, user});
      due.add(new Request("req-" + requests++, user, userId(user), head[0], k, world.state(user)));
    }
    return due;
  }

  /** An interaction event's JSON and the reward it logs (the job reads it as the step's reward, if it can decode it). */
  public record Response(byte[] json, double reward) {}

  /**
   * The user consumes the top recommended item; the event carries its logged reward and echoes what
   * the answer said of it, as a real client would: the version that served it, the probability with
   * which it was drawn (NaN: none given) and whether the request explored.
   */
  public Response respond(Request request, String itemId, long policyVersion, double propensity, boolean explored) {
    int item = world.catalog().indexOf(itemId);
    if (item < 0) {
      throw new IllegalArgumentException("recommended item " + itemId + " is not in the simulator's catalog");
    }
    return event(request, item, policyVersion, propensity, explored);
  }

  /** What the logging policy would have shown instead, as an interaction event (policyVersion -1). */
  public byte[] logged(Request request, LoggingMix mix) {
    return event(request, world.log(request.user(), mix, random), -1, Double.NaN, false).json();
  }

  /** Mean latent reward of an item for the request's user: the served reward a demo reports. */
  public double latentReward(Request request, String itemId) {
    return world.latentReward(request.user(), world.catalog().indexOf(itemId));
  }

  private ArrayNode featureJson(int user) {
    if (featureJson[user] == null) {
      featureJson[user] = featureList(world.state(user));
    }
    return featureJson[user];
  }

  /** The features as a JSON number list, 5 decimals (a user's features never change: built once). */
  static ArrayNode featureList(float[] features) {
    ArrayNode list = JSON.createArrayNode();
    for (float f : features) {
      list.add(Math.round(f * 1e5) / 1e5);
    }
    return list;
  }

  private static byte[] bytes(ObjectNode json) {
    try {
      return JSON.writeValueAsBytes(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How many of the events so far were corrupted on purpose. */
  public long malformed() {
    return malformed;
  }

  public static String userId(int user) {
    return "user-" + user;
  }

  /** The interaction's JSON (reward to 6 decimals); requestId, propensity and explored only where the job's answer gave them. */
  private Response event(Request request, int item, long policyVersion, double propensity, boolean explored) {
    double reward = Math.round(world.loggedReward(request.user(), item, random) * 1e6) / 1e6;
    ObjectNode e = JSON.createObjectNode().put("eventId", "ev-" + events++).put("userId", request.userId())
        .put("itemId", world.catalog().id(item)).put("ts", request.ts() + 1_000)
        .put("reward", reward)
        .put("policyVersion", policyVersion);
    if (policyVersion >= 0) {
      e.put("requestId", request.requestId()); // the answer's, as a client echoes it
    }
    if (!Double.isNaN(propensity)) {
      e.put("propensity", propensity);
    }
    if (explored) {
      e.put("explored", true);
    }
    e.set("userFeatures", featureJson(request.user()));
    if (random.nextDouble() < config.malformedShare()) {
      malformed++;
      return new Response(corrupt(new String(bytes(e), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8), reward);
    }
    return new Response(bytes(e), reward);
  }

  /** One of: truncated JSON, a NaN reward, a missing userId. */
  private String corrupt(String json) {
    return switch (random.nextInt(3)) {
      case 0 -> json.substring(0, json.length() / 2);
      case 1 -> json.replaceAll("\"reward\":[-0-9.Ee]+", "\"reward\":NaN");
      default -> json.replaceAll("\"userId\":\"[^\"]*\",", "");
    };
  }
}
