package dev.drpo.app.demo;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter that keeps every metric of the local cluster in this JVM, so the demo's
 * progress line shows what Flink measures (the same numbers the web UI and any other reporter get).
 * Register with {@code metrics.reporter.injvm.factory.class: dev.drpo.app.demo.InJvmMetrics$Factory}.
 */
public final class InJvmMetrics implements MetricReporter {
  private static final Map<String, Named> METRICS = new ConcurrentHashMap<>();

  private record Named(String name, Metric metric) {}

  /** Creates the reporter (Flink instantiates factories by class name). */
  public static final class Factory implements MetricReporterFactory {
    @Override
    public MetricReporter createMetricReporter(Properties properties) {
      return new InJvmMetrics();
    }
  }

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
    METRICS.put(group.getMetricIdentifier(name), new Named(name, metric));
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    METRICS.remove(group.getMetricIdentifier(name));
  }

  /** Sum of the counters (or numeric gauges) named {@code name}, over all subtasks and operators. */
  public static double sum(String name) {
    return METRICS.values().stream().filter(m -> m.name.equals(name)).mapToDouble(m -> value(m.metric)).sum();
  }

  /** Sum of the counters whose name starts with {@code prefix} (e.g. "deadLetters."). */
  public static double sumPrefixed(String prefix) {
    return METRICS.values().stream().filter(m -> m.name.startsWith(prefix)).mapToDouble(m -> value(m.metric)).sum();
  }

  /** Largest finite value of the numeric gauges named {@code name} (NaN when there is none). */
  public static double max(String name) {
    return METRICS.values().stream().filter(m -> m.name.equals(name)).mapToDouble(m -> value(m.metric))
        .filter(Double::isFinite).max().orElse(Double.NaN);
  }

  /**
   * Smallest finite value of the numeric gauges named {@code name} of the operator named
   * {@code operator}, over its subtasks (NaN when there is none): e.g. the version every scorer holds.
   */
  public static double min(String operator, String name) {
    return METRICS.entrySet().stream()
        .filter(e -> e.getValue().name.equals(name) && e.getKey().contains("." + operator + "."))
        .mapToDouble(e -> value(e.getValue().metric)).filter(Double::isFinite).min().orElse(Double.NaN);
  }

  /** Largest {@code q}-quantile of the histograms named {@code name} over all subtasks (NaN when there is none). */
  public static double maxQuantile(String name, double q) {
    return METRICS.values().stream().filter(m -> m.name.equals(name) && m.metric instanceof Histogram)
        .mapToDouble(m -> ((Histogram) m.metric).getStatistics().getQuantile(q)).filter(Double::isFinite).max().orElse(Double.NaN);
  }

  private static double value(Metric m) {
    if (m instanceof Counter c) {
      return c.getCount();
    }
    if (m instanceof Gauge<?> g && g.getValue() instanceof Number n) {
      return n.doubleValue();
    }
    return Double.NaN;
  }
}
