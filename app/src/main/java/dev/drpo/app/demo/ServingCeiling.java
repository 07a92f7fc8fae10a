package dev.drpo.app.demo;

import dev.drpo.model.catalog.ItemCatalog.Similarity;
import dev.drpo.model.catalog.ItemCatalog.Ranking;
import dev.drpo.simulator.World;
import dev.drpo.simulator.bench.LinearBound;
import java.util.ArrayDeque;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the best policies would serve the same users, each in the job's place, under the scorer's
 * rule that a user's {@code excludeRecent} most recent items are not recommended again: the oracle
 * (the best item not excluded) and the linear oracle ({@link LinearBound#oracle}: the item nearest
 * the least-squares map from the user's state, not excluded), the ceiling a learner of the
 * backbone's class can reach from the state it sees. Each keeps its own history per training
 * user, as if it had served every request the job answered (the items the logging policy showed
 * join every history alike), so its exclusions are the ones its own answers would have caused. Not
 * thread-safe: one driver owns it.
 */
final class ServingCeiling {
  private final World world;
  private final int excludeRecent;
  private final ArrayDeque<Integer>[] oracleRecent;
  private final ArrayDeque<Integer>[] linearRecent;
  private int[][] oracleRanking;
  private int[][] linearRanking;

  ServingCeiling(World world, int excludeRecent) {
    if (excludeRecent < 0) {
      throw new IllegalArgumentException("excludeRecent must be >= 0: " + excludeRecent);
    }
    this.world = world;
    this.excludeRecent = excludeRecent;
    oracleRecent = histories(world.trainingUsers(), excludeRecent);
    linearRecent = histories(world.trainingUsers(), excludeRecent);
    rank();
  }

  @SuppressWarnings("unchecked")
  private static ArrayDeque<Integer>[] histories(int users, int capacity) {
    ArrayDeque<Integer>[] histories = new ArrayDeque[users];
    for (int u = 0; u < users; u++) {
      histories[u] = new ArrayDeque<>(capacity + 1);
    }
    return histories;
  }

  /** The users' interests changed ({@link World#changeTastes}): both rankings again. */
  void tastesChanged() {
    rank();
  }

  private void rank() {
    float[][] interests = new float[world.trainingUsers()][];
    float[][] states = new float[interests.length][];
    for (int u = 0; u < interests.length; u++) {
      interests[u] = world.interest(u);
      states[u] = world.state(u);
    }
    INDArray linear = LinearBound.oracle(world).mean(Nd4j.create(states)).castTo(DataType.FLOAT);
    oracleRanking = indices(world.catalog().topK(Nd4j.create(interests), excludeRecent + 1, List.of(), Similarity.INNER_PRODUCT));
    linearRanking = indices(world.catalog().topK(linear, excludeRecent + 1, List.of(), Similarity.COSINE));
  }

  private static int[][] indices(Ranking[] rankings) {
    int[][] indices = new int[rankings.length][];
    for (int u = 0; u < rankings.length; u++) {
      indices[u] = rankings[u].indices();
    }
    return indices;
  }

  /** The item the oracle would show the user now: the best one its history does not exclude. */
  int oracle(int user) {
    return firstAllowed(oracleRanking[user], oracleRecent[user]);
  }

  /** The item the linear oracle would show the user now. */
  int linear(int user) {
    return firstAllowed(linearRanking[user], linearRecent[user]);
  }

  /** The user interacted with what each would have shown (both the same item where the logging policy served). */
  void consumed(int user, int oracleItem, int linearItem) {
    append(oracleRecent[user], oracleItem);
    append(linearRecent[user], linearItem);
  }

  private void append(ArrayDeque<Integer> history, int item) {
    if (excludeRecent == 0) {
      return;
    }
    if (history.size() == excludeRecent) {
      history.removeFirst();
    }
    history.addLast(item);
  }

  private static int firstAllowed(int[] ranking, ArrayDeque<Integer> recent) {
    for (int item : ranking) {
      if (!recent.contains(item)) {
        return item;
      }
    }
    throw new IllegalStateException("the ranking holds more items than can be excluded");
  }
}
