package dev.drpo.simulator.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The benchmark's PNG charts: results with 95% CIs, the noise sweep, the intensity curves. */
final class Charts {
  private Charts() {}

  @SuppressWarnings("unchecked")
  static void write(LearningBenchmark.Report report, Path out) throws IOException {
    DefaultStatisticalCategoryDataset results = new DefaultStatisticalCategoryDataset();
    for (Map.Entry<String, Object> s : report.scenarios().entrySet()) {
      Map<String, Object> methods = (Map<String, Object>) ((Map<String, Object>) s.getValue()).get("methods");
      for (Map.Entry<String, Object> m : methods.entrySet()) {
        Map<String, Object> v = (Map<String, Object>) m.getValue();
        results.add((Double) v.get("reward_mean"), (Double) v.get("reward_ci95"), s.getKey(), m.getKey());
      }
    }
    JFreeChart bars = ChartFactory.createLineChart("Reward of the retrieved item (held-out users), mean and 95% CI",
        "method", "reward", results, PlotOrientation.VERTICAL, true, false, false);
    CategoryPlot plot = bars.getCategoryPlot();
    plot.setRenderer(new StatisticalBarRenderer());
    plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    ChartUtils.saveChartAsPNG(out.resolve("results.png").toFile(), bars, 1000, 560);

    XYSeriesCollection sweep = new XYSeriesCollection();
    for (Map.Entry<String, Map<String, Double>> m : report.noiseSweep().entrySet()) {
      XYSeries series = new XYSeries(m.getKey());
      m.getValue().forEach((percent, ecpm) -> series.add(Double.parseDouble(percent), ecpm));
      sweep.addSeries(series);
    }
    ChartUtils.saveChartAsPNG(out.resolve("noise_sweep.png").toFile(), ChartFactory.createXYLineChart(
        "Noise injection (medium mix, random share replaced)", "random-noise share (%)", "eCPM = 5 x reward", sweep,
        PlotOrientation.VERTICAL, true, false, false), 800, 500);

    XYSeriesCollection norms = new XYSeriesCollection();
    norms.addSeries(series("APG: norm of mu", report.intensity("APG")));
    norms.addSeries(series("DRPO: norm of mu", report.intensity("DRPO")));
    norms.addSeries(series("DRPO: gradient norm of its dropped samples under APG", report.droppedGradient()));
    JFreeChart curves = ChartFactory.createXYLineChart("Output intensity over training (medium, seed 1)", "step",
        "norm (log scale)", norms, PlotOrientation.VERTICAL, true, false, false);
    LogAxis log = new LogAxis("norm (log scale)");
    log.setSmallestValue(1e-4);
    curves.getXYPlot().setRangeAxis(log);
    ChartUtils.saveChartAsPNG(out.resolve("intensity.png").toFile(), curves, 800, 500);
  }

  /** Rows [step, value, ...] as a series of value over step (non-positive values cannot go on a log axis). */
  private static XYSeries series(String name, List<double[]> rows) {
    XYSeries s = new XYSeries(name);
    for (double[] row : rows) {
      if (row[1] > 0) {
        s.add(row[0], row[1]);
      }
    }
    return s;
  }
}
