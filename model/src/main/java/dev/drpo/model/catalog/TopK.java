package dev.drpo.model.catalog;

/**
 * The k best of the (item, score) pairs offered: higher score first, and among equal scores
 * ({@link Float#compare}) the lower item first. A bounded min-heap in two primitive arrays, so
 * scanning a catalog of scores allocates nothing and rejects most items with one comparison
 * ({@link #admits}). Reusable: {@link #reset} before each query.
 */
final class TopK {
  private int k;
  private int[] items = new int[0];
  private float[] scores = new float[0];
  private int size;

  /** Empties it for a query that keeps the best {@code k}. */
  TopK reset(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    if (items.length < k) {
      items = new int[k];
      scores = new float[k];
    }
    this.k = k;
    size = 0;
    return this;
  }

  /**
   * A score below which nothing enters now: the worst kept score once k are kept, else negative
   * infinity. A cheap first test before {@link #admits} (equal scores still need it).
   */
  float floor() {
    return size < k ? Float.NEGATIVE_INFINITY : scores[0];
  }

  /** True if {@code (item, score)} would enter the k best now. */
  boolean admits(int item, float score) {
    return size < k || better(score, item, scores[0], items[0]);
  }

  /** Keeps the pair if it is among the k best so far (the caller offers each item once). */
  void offer(int item, float score) {
    if (size < k) {
      items[size] = item;
      scores[size] = score;
      siftUp(size++);
    } else if (better(score, item, scores[0], items[0])) {
      items[0] = item;
      scores[0] = score;
      siftDown(0);
    }
  }

  int size() {
    return size;
  }

  /**
   * Empties it, writing the kept items and their scores best first.
   *
   * @return how many were kept (at most k)
   */
  int drainBestFirst(int[] bestItems, float[] bestScores) {
    int found = size;
    for (int j = found - 1; j >= 0; j--) {
      bestItems[j] = items[0];
      bestScores[j] = scores[0];
      size--;
      items[0] = items[size];
      scores[0] = scores[size];
      siftDown(0);
    }
    return found;
  }

  /** Whether (s, i) ranks before (t, j). */
  private static boolean better(float s, int i, float t, int j) {
    int c = Float.compare(s, t);
    return c > 0 || c == 0 && i < j;
  }

  /** The heap's root is its worst pair. */
  private void siftUp(int at) {
    int item = items[at];
    float score = scores[at];
    while (at > 0) {
      int parent = (at - 1) >>> 1;
      if (!better(scores[parent], items[parent], score, item)) {
        break;
      }
      items[at] = items[parent];
      scores[at] = scores[parent];
      at = parent;
    }
    items[at] = item;
    scores[at] = score;
  }

  private void siftDown(int at) {
    int item = items[at];
    float score = scores[at];
    while (true) {
      int child = 2 * at + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && better(scores[child], items[child], scores[child + 1], items[child + 1])) {
        child++;
      }
      if (!better(score, item, scores[child], items[child])) {
        break;
      }
      items[at] = items[child];
      scores[at] = scores[child];
      at = child;
    }
    items[at] = item;
    scores[at] = score;
  }
}
