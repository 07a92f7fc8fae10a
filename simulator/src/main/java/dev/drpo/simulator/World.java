package dev.drpo.simulator;

import dev.drpo.model.catalog.EmbeddingsCsv;
import dev.drpo.model.catalog.ItemCatalog.Similarity;
import dev.drpo.model.catalog.ItemCatalog;
import dev.drpo.model.policy.GaussianPolicy;
import dev.drpo.model.state.StateEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.inverse.InvertMatrix;

/**
 * The paper's recommendation environment ("RecSim", docs/method.md section 5): item embeddings and user
 * interests from a mixture of Gaussians (topics) in R^d, latent reward
 * R(u, a) = exp(-(1 - cos(e_a, u*)) / (2 delta^2)), logged reward clip(R + N(0, sigma^2), 0, 1).
 * The learner sees a noisy copy of u* as its state (and, with historyLength > 0, the encoding of a
 * short past). Training users produce the logs; held-out users are for evaluation only.
 */
public final class World {
  private final SimulatorConfig config;
  private final ItemCatalog catalog;
  private final float[][] centres;
  private final float[][] interests;
  private final float[][] states;
  private final int[] popularityRank;
  private final double[] zipfCumulative;
  private final int[][] nearest;

  /** A generated world: items and users around random topic centres. */
  public World(SimulatorConfig config, long seed) {
    this(config, seed, null, null);
  }

  /**
   * A world with loaded item embeddings and/or user interests (null: generate them). Loaded users
   * are split in file order: the first {@code users} train, the next {@code heldOutUsers} evaluate.
   */
  public World(SimulatorConfig config, long seed, EmbeddingsCsv.Embeddings items, EmbeddingsCsv.Embeddings users) {
    this.config = config;
    SplittableRandom r = new SplittableRandom(seed);
    int d = config.dimension();
    centres = centres(config.topics(), d, r);
    if (items == null) {
      List<String> ids = new ArrayList<>();
      float[][] vectors = new float[config.items()][];
      for (int i = 0; i < vectors.length; i++) {
        ids.add("item-" + i);
        vectors[i] = around(centres[r.nextInt(centres.length)], config.topicSpread(), r);
      }
      catalog = new ItemCatalog(ids, vectors);
    } else {
      require(items, config.items(), d, "items");
      catalog = new ItemCatalog(items.ids().subList(0, config.items()), Arrays.copyOf(items.vectors(), config.items()));
    }
    int people = config.users() + config.heldOutUsers();
    if (users != null) {
      require(users, people, d, "users");
    }
    interests = new float[people][];
    states = new float[people][];
    for (int u = 0; u < people; u++) {
      interests[u] = users == null ? around(centres[r.nextInt(centres.length)], config.userSpread(), r) : unit(users.vectors()[u]);
      float[] noise = gaussian(r, d, config.stateNoise() / Math.sqrt(d));
      states[u] = new float[d];
      for (int j = 0; j < d; j++) {
        states[u][j] = interests[u][j] + noise[j];
      }
    }
    popularityRank = shuffled(config.items(), r);
    zipfCumulative = new double[config.items()];
    double sum = 0;
    for (int k = 0; k < config.items(); k++) {
      sum += Math.pow(k + 1, -config.zipfExponent());
      zipfCumulative[k] = sum;
    }
    nearest = new int[people][];
    var rankings = catalog.topK(Nd4j.create(interests), config.expertCandidates(), List.of(), Similarity.INNER_PRODUCT);
    for (int u = 0; u < people; u++) {
      nearest[u] = rankings[u].indices();
    }
    if (config.historyLength() > 0) {
      StateEncoder encoder = new StateEncoder(d, d, config.historyLength());
      for (int u = 0; u < people; u++) {
        List<StateEncoder.Interaction> past = new ArrayList<>();
        for (int h = 0; h < config.historyLength(); h++) {
          int item = log(u, LoggingMix.MEDIUM, r);
          past.add(new StateEncoder.Interaction(catalog.id(item), loggedReward(u, item, r)));
        }
        states[u] = encoder.encode(states[u], past, catalog);
      }
    }
  }

  private static void require(EmbeddingsCsv.Embeddings e, int count, int d, String what) {
    if (e.vectors().length < count || e.vectors()[0].length != d) {
      throw new IllegalArgumentException("need at least " + count + " " + what + " of dimension " + d + ", the file has "
          + e.vectors().length + " of dimension " + e.vectors()[0].length);
    }
  }

  public SimulatorConfig config() {
    return config;
  }

  public ItemCatalog catalog() {
    return catalog;
  }

  /** Training users are 0 .. users-1; held-out users follow. */
  public int trainingUsers() {
    return config.users();
  }

  public int[] heldOutUsers() {
    int[] ids = new int[config.heldOutUsers()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = config.users() + i;
    }
    return ids;
  }

  /**
   * The users change taste: the topics trade places. A random permutation pi of the topics (from
   * {@code seed}) defines the linear map M that sends each topic centre c_k to c_pi(k) and leaves
   * the directions outside the centres' span alone (M = I + (C_pi - C) C^+); every user's interest
   * becomes normalise(M u*): who liked topic k likes topic pi(k), with the same offset from its
   * centre. What the learner sees of a user (the features) stays as it was, so the mapping from
   * features to taste changes by one linear map, which a policy can learn again (a change no
   * function of the features could follow, such as users swapping tastes at random, would measure
   * memorisation, not how fast a learner adapts). Rewards, the oracle and the logging policy
   * follow the new interests at once.
   */
  public void changeTastes(long seed) {
    int[] pi = shuffled(centres.length, new SplittableRandom(seed));
    INDArray c = Nd4j.create(centres);
    INDArray moved = Nd4j.create(Arrays.stream(pi).mapToObj(k -> centres[k]).toArray(float[][]::new));
    // coordinates of u in the centres' span: (C C^T)^-1 C u
    INDArray coordinates = InvertMatrix.invert(c.mmul(c.transpose()), false).mmul(c);
    INDArray users = Nd4j.create(interests);
    INDArray changed = users.add(users.mmul(coordinates.transpose()).mmul(moved.sub(c)));
    for (int u = 0; u < interests.length; u++) {
      interests[u] = unit(changed.getRow(u).toFloatVector());
    }
    var rankings = catalog.topK(Nd4j.create(interests), config.expertCandidates(), List.of(), Similarity.INNER_PRODUCT);
    for (int u = 0; u < interests.length; u++) {
      nearest[u] = rankings[u].indices();
    }
  }

  /** What the learner sees of user u. */
  public float[] state(int user) {
    return states[user];
  }

  public float[] interest(int user) {
    return interests[user];
  }

  public double latentReward(int user, int item) {
    double cos = dot(interests[user], catalog.embedding(item));
    return Math.exp(-(1 - cos) / (2 * config.delta() * config.delta()));
  }

  public double loggedReward(int user, int item, SplittableRandom r) {
    return Math.min(1, Math.max(0, latentReward(user, item) + config.rewardNoise() * r.nextGaussian()));
  }

  /** The best catalog item's latent reward for a user (its nearest item, embeddings being unit). */
  public double oracleReward(int user) {
    return latentReward(user, oracleItem(user));
  }

  /** The item the oracle serves a user: the catalog's nearest to the user's interest. */
  public int oracleItem(int user) {
    return nearest[user][0];
  }

  /** An item the logging policy shows user u. */
  public int log(int user, LoggingMix mix, SplittableRandom r) {
    double dice = r.nextDouble();
    if (dice < mix.expert()) {
      return nearest[user][r.nextInt(nearest[user].length)];
    }
    if (dice < mix.expert() + mix.popular()) {
      int best = popular(r);
      for (int k = 1; k < config.popularCandidates(); k++) {
        int candidate = popular(r);
        if (dot(interests[user], catalog.embedding(candidate)) > dot(interests[user], catalog.embedding(best))) {
          best = candidate;
        }
      }
      return best;
    }
    return r.nextInt(config.items());
  }

  private int popular(SplittableRandom r) {
    double x = r.nextDouble() * zipfCumulative[zipfCumulative.length - 1];
    int lo = 0;
    int hi = zipfCumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (zipfCumulative[mid] < x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return popularityRank[lo];
  }

  /** Evaluation of a policy on held-out users: decode mu(s), retrieve the top-1 item by cosine. */
  public Evaluation evaluate(GaussianPolicy policy) {
    return evaluate(policy, 1);
  }

  /**
   * Slate evaluation: the mean latent reward of the k items retrieved for mu(s) on held-out users,
   * against the mean of each user's k best items.
   */
  public Evaluation evaluate(GaussianPolicy policy, int k) {
    return evaluate(states -> policy.mean(states.castTo(policy.dataType())), k);
  }

  /** The same for any mean map: held-out states [n, stateDim] (float) to mu [n, d]. */
  public Evaluation evaluate(UnaryOperator<INDArray> mean, int k) {
    int[] users = heldOutUsers();
    float[][] s = new float[users.length][];
    for (int i = 0; i < users.length; i++) {
      s[i] = states[users[i]];
    }
    var rankings = catalog.topK(mean.apply(Nd4j.create(s)), k, List.of(), Similarity.COSINE);
    float[][] interest = new float[users.length][];
    for (int i = 0; i < users.length; i++) {
      interest[i] = interests[users[i]];
    }
    var best = catalog.topK(Nd4j.create(interest), k, List.of(), Similarity.INNER_PRODUCT);
    double reward = 0;
    double oracle = 0;
    for (int i = 0; i < users.length; i++) {
      for (int j = 0; j < k; j++) {
        reward += latentReward(users[i], rankings[i].indices()[j]);
        oracle += latentReward(users[i], best[i].indices()[j]);
      }
    }
    return new Evaluation(reward / (users.length * k), oracle / (users.length * k));
  }

  /** Mean latent reward of what the logging policy shows held-out users. */
  public double loggingReward(LoggingMix mix, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double sum = 0;
    int[] users = heldOutUsers();
    for (int rep = 0; rep < 20; rep++) {
      for (int u : users) {
        sum += latentReward(u, log(u, mix, r));
      }
    }
    return sum / (20.0 * users.length);
  }

  /** Reward, eCPM = 5 x reward, and reward / oracle reward. */
  public record Evaluation(double reward, double oracleReward) {
    public double ecpm() {
      return 5 * reward;
    }

    public double normalized() {
      return reward / oracleReward;
    }
  }

  static float[] gaussian(SplittableRandom r, int d, double scale) {
    float[] v = new float[d];
    for (int j = 0; j < d; j++) {
      v[j] = (float) (r.nextGaussian() * scale);
    }
    return v;
  }

  /** {@code topics} random unit directions in R^d: the topic centres, as a world draws them. */
  public static float[][] centres(int topics, int d, SplittableRandom r) {
    float[][] centres = new float[topics][];
    for (int t = 0; t < topics; t++) {
      centres[t] = unit(gaussian(r, d, 1.0));
    }
    return centres;
  }

  /** normalise(centre + spread g / sqrt(d)): an item (topicSpread) or a user's interest (userSpread). */
  public static float[] around(float[] centre, double spread, SplittableRandom r) {
    float[] noise = gaussian(r, centre.length, spread / Math.sqrt(centre.length));
    float[] v = new float[centre.length];
    for (int j = 0; j < v.length; j++) {
      v[j] = centre[j] + noise[j];
    }
    return unit(v);
  }

  static float[] unit(float[] v) {
    double norm = Math.sqrt(dot(v, v));
    float[] u = new float[v.length];
    for (int j = 0; j < v.length; j++) {
      u[j] = (float) (v[j] / norm);
    }
    return u;
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      s += (double) a[j] * b[j];
    }
    return s;
  }

  private static int[] shuffled(int n, SplittableRandom r) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
