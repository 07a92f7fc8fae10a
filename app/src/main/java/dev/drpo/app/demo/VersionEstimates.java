package dev.drpo.app.demo;

import dev.drpo.job.kafka.CommittedRecords;
import dev.drpo.job.kafka.KafkaConnection;
import dev.drpo.job.kafka.KafkaEndpoints;
import dev.drpo.operators.estimate.ValueEstimate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The off-policy estimate each policy version carried when it was published (its drpo.estimate-*
 * headers), read from the policy-versions topic as the run goes, from where the topic ended when
 * the run began (the topic is compacted: at the end only the last would be left; and versions of
 * an earlier job on the same topic are not this run's), and set beside the reward its answers then earned.
 */
final class VersionEstimates implements AutoCloseable {
  /** Versions that served fewer answers than this are left out of the comparison: their own mean is too noisy. */
  static final int MIN_ANSWERS = 200;

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<Long, ValueEstimate> estimates = new TreeMap<>();

  VersionEstimates(KafkaConnection kafka, String versionsTopic) {
    consumer = CommittedRecords.assigned(kafka, versionsTopic, true, new Properties(), Duration.ofSeconds(30));
  }

  /** Reads what has been published since the last call, waiting at most {@code wait}; returns how many versions it read. */
  int poll(Duration wait) {
    var records = consumer.poll(wait);
    for (ConsumerRecord<byte[], byte[]> r : records) {
      ValueEstimate estimate = KafkaEndpoints.publishedEstimate(r);
      if (estimate != null) {
        estimates.put(KafkaEndpoints.publishedVersion(r), estimate);
      }
    }
    return records.count();
  }

  /**
   * Reads until 3 s pass with no version published (a read_committed reader sees a version once
   * the checkpoint after it completes), at most {@code seconds} seconds.
   */
  void drain(int seconds) {
    int quiet = 0;
    for (int i = 0; i < seconds && quiet < 3; i++) {
      quiet = poll(Duration.ofSeconds(1)) > 0 ? 0 : quiet + 1;
    }
  }

  /**
   * Each estimated version that served at least {@link #MIN_ANSWERS} answers, its estimate beside
   * the mean reward its answers logged, and how far they sit apart: mean and median absolute error,
   * how often the interval (where there is one) holds the served mean, and, as the baseline an estimate must beat, the
   * mean absolute error of taking the window's served mean (what the versions before earned) instead.
   */
  Map<String, Object> compare(Map<Long, SimulatedUsers.Served> served) {
    return compare(estimates, served);
  }

  static Map<String, Object> compare(Map<Long, ValueEstimate> estimates, Map<Long, SimulatedUsers.Served> served) {
    List<Map<String, Object>> versions = new ArrayList<>();
    List<Double> errors = new ArrayList<>();
    double windowErrors = 0;
    int withInterval = 0;
    int covered = 0;
    for (Map.Entry<Long, ValueEstimate> e : estimates.entrySet()) {
      SimulatedUsers.Served after = served.get(e.getKey());
      ValueEstimate est = e.getValue();
      if (after == null || after.answers() < MIN_ANSWERS || !Double.isFinite(est.reward)) {
        continue;
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("version", e.getKey());
      row.put("estimated", est.reward);
      row.put("low", TrafficRun.finiteOrNull(est.low));
      row.put("high", TrafficRun.finiteOrNull(est.high));
      row.put("effective_answers", est.effectiveAnswers);
      row.put("window_served", est.servedReward);
      row.put("served_after", after.meanReward());
      row.put("answers_after", after.answers());
      versions.add(row);
      errors.add(Math.abs(est.reward - after.meanReward()));
      if (Double.isFinite(est.low)) {
        withInterval++;
        covered += est.low <= after.meanReward() && after.meanReward() <= est.high ? 1 : 0;
      }
      windowErrors += Math.abs(est.servedReward - after.meanReward());
    }
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("versions_estimated", estimates.size());
    s.put("versions_compared", versions.size());
    if (!versions.isEmpty()) {
      List<Double> sorted = errors.stream().sorted().toList();
      s.put("mean_abs_error", errors.stream().mapToDouble(Double::doubleValue).average().orElseThrow());
      s.put("median_abs_error", sorted.get(sorted.size() / 2));
      s.put("versions_with_interval", withInterval);
      s.put("interval_holds_served_share", withInterval == 0 ? null : covered / (double) withInterval);
      s.put("window_served_abs_error", windowErrors / versions.size());
      s.put("mean_effective_answers", versions.stream().mapToDouble(v -> (Double) v.get("effective_answers")).average().orElseThrow());
    }
    s.put("versions", versions);
    return s;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
