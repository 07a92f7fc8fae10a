package dev.drpo.simulator;

import dev.drpo.model.learn.Batch;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/** A logged dataset: (training user, shown item, logged reward) triples from a logging mix. */
public final class LoggedData {
  private final World world;
  private final int[] users;
  private final int[] items;
  private final double[] rewards;

  public LoggedData(World world, LoggingMix mix, int samples, long seed) {
    this.world = world;
    SplittableRandom r = new SplittableRandom(seed);
    users = new int[samples];
    items = new int[samples];
    rewards = new double[samples];
    for (int i = 0; i < samples; i++) {
      users[i] = r.nextInt(world.trainingUsers());
      items[i] = world.log(users[i], mix, r);
      rewards[i] = world.loggedReward(users[i], items[i], r);
    }
  }

  public int size() {
    return users.length;
  }

  /** A batch drawn uniformly with replacement: states, the logged items' embeddings, rewards. */
  public Batch batch(int n, SplittableRandom r) {
    float[][] s = new float[n][];
    float[][] a = new float[n][];
    double[] q = new double[n];
    for (int i = 0; i < n; i++) {
      int k = r.nextInt(users.length);
      s[i] = world.state(users[k]);
      a[i] = world.catalog().embedding(items[k]);
      q[i] = rewards[k];
    }
    return Batch.of(s, a, q, DataType.FLOAT);
  }
}
