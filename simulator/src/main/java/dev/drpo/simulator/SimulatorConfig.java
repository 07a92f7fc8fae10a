package dev.drpo.simulator;

/**
 * The environment's settings; the paper gives none of these but the reward formula and the
 * logging mixtures. Defaults and why:
 *
 * @param dimension d = 128, the paper's embedding size
 * @param items 5,000: the paper's item-space figure suggests about that many
 * @param topics 20 topics (Gaussian mixture components) the items and users gather around
 * @param topicSpread item = normalise(topic centre + 0.7 g / sqrt(d)): topics overlap little in 128-d
 * @param users 2,000 training users (their logs are the dataset)
 * @param heldOutUsers 500 users never seen in training, for evaluation
 * @param userSpread u* = normalise(topic centre + 0.7 g / sqrt(d)): a user's best items are in their topic
 * @param delta reward width in R = exp(-(1 - cos) / (2 delta^2)): 0.36 puts the best catalog item's
 *     mean reward at the paper's optimum 0.40 (measured: 0.401) and a random item at 0.036
 * @param rewardNoise sigma_noise of the logged reward clip(R + N(0, sigma^2), 0, 1): 0.1
 * @param stateNoise the learner sees s = u* + 0.3 g / sqrt(d): features are informative, not exact
 * @param expertCandidates pi_expert picks uniformly among the user's 10 nearest items
 * @param popularCandidates pi_pop draws 10 items by popularity (Zipf) and shows the most relevant:
 *     "moderate relevance", a mean reward of 0.126, a third of the optimum
 * @param zipfExponent popularity ~ rank^-1.1 over a random ranking of the catalog
 * @param samples logged samples in the dataset: 200,000
 * @param historyLength 0 (default, the paper's setting): the state is the user's noisy features; L > 0
 *     appends the model's StateEncoder encoding of L past interactions of the user, drawn once per
 *     user from the medium logging mix (a fixed recent history, the same in training and evaluation)
 */
public record SimulatorConfig(int dimension, int items, int topics, double topicSpread, int users, int heldOutUsers,
    double userSpread, double delta, double rewardNoise, double stateNoise, int expertCandidates,
    int popularCandidates, double zipfExponent, int samples, int historyLength) {

  public static SimulatorConfig defaults() {
    return new SimulatorConfig(128, 5_000, 20, 0.7, 2_000, 500, 0.7, 0.36, 0.1, 0.3, 10, 10, 1.1, 200_000, 0);
  }

  public SimulatorConfig withDimension(int d) {
    return new SimulatorConfig(d, items, topics, topicSpread, users, heldOutUsers, userSpread, delta, rewardNoise,
        stateNoise, expertCandidates, popularCandidates, zipfExponent, samples, historyLength);
  }

  public SimulatorConfig withSize(int itemCount, int userCount, int heldOut, int sampleCount) {
    return new SimulatorConfig(dimension, itemCount, topics, topicSpread, userCount, heldOut, userSpread, delta,
        rewardNoise, stateNoise, expertCandidates, popularCandidates, zipfExponent, sampleCount, historyLength);
  }

  public SimulatorConfig withHistory(int length) {
    return new SimulatorConfig(dimension, items, topics, topicSpread, users, heldOutUsers, userSpread, delta,
        rewardNoise, stateNoise, expertCandidates, popularCandidates, zipfExponent, samples, length);
  }

  /** Size of the state the learner sees: d, or 2d with a history encoding. */
  public int stateDim() {
    return historyLength > 0 ? 2 * dimension : dimension;
  }
}
