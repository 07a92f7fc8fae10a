package dev.drpo.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drpo.model.learn.Batch;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /** The training user of sample i. */
  public int user(int i) {
    return users[i];
  }

  /** The catalog index of the item shown in sample i. */
  public int item(int i) {
    return items[i];
  }

  /** The logged reward of sample i. */
  public double reward(int i) {
    return rewards[i];
  }

  /**
   * Writes the dataset as interaction events, one JSON object per line, in the schema the job reads
   * from Kafka: sample i at startMs + i x spacingMs, users as "user-<n>", items by catalog id.
   */
  public void writeJsonLines(Path file, long startMs, long spacingMs) throws IOException {
    ObjectMapper json = new ObjectMapper();
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      for (int i = 0; i < users.length; i++) {
        out.write(json.writeValueAsString(json.createObjectNode().put("eventId", "log-" + i).put("userId", "user-" + users[i])
            .put("itemId", world.catalog().id(items[i])).put("ts", startMs + i * spacingMs)
            .put("reward", Math.round(rewards[i] * 1e6) / 1e6)));
        out.newLine();
      }
    }
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
