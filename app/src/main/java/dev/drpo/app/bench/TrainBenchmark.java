package dev.drpo.app.bench;

import dev.drpo.model.filter.BatchTopP;
import dev.drpo.model.filter.KeepFractionController;
import dev.drpo.model.learn.Batch;
import dev.drpo.model.learn.DivergenceGuard;
import dev.drpo.model.learn.PolicyLearner;
import dev.drpo.model.objective.Drpo;
import dev.drpo.model.policy.Blas;
import dev.drpo.model.policy.GaussianPolicy;
import dev.drpo.model.policy.PolicyConfig;
import dev.drpo.model.policy.SameDiffGaussianPolicy;
import dev.drpo.simulator.bench.ResultJson;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Speed of one DRPO training step (filter, forward, weighted log-likelihood, backward, guard, Adam)
 * on the default policy, next to the same step through the SameDiff graph and next to a large ND4J
 * matrix product on the same threads (the roofline). FLOPs count the step's matrix products only:
 * forward 2 N sum(in x out), backward twice that less the unused input gradient of the first layer;
 * the linear path's product forward and for its gradient.
 */
public final class TrainBenchmark {
  static final int GEMM_SIZE = 1024;

  /**
   * Measured numbers for one batch size: medians over interleaved rounds; the two ratios are the
   * medians of the per-round ratios, so a VM that speeds up or slows down between rounds moves
   * numerator and denominator together.
   */
  public record Measurement(int batch, double stepMs, double samplesPerS, double sameDiffStepMs,
      double sameDiffSamplesPerS, double stepGflops, double gemmGflops, double speedupVsSameDiff,
      double rooflineRatio) {}

  /** The whole run. */
  public record Report(String backend, String threads, List<Measurement> measurements) {

    /** The one-line JSON for the first batch size. */
    public String json() {
      Measurement m = measurements.get(0);
      return ResultJson.write(ResultJson.fields("samples_per_s", m.samplesPerS(), "samediff_samples_per_s", m.sameDiffSamplesPerS(),
          "speedup_vs_samediff", m.speedupVsSameDiff(), "step_gflops", m.stepGflops(), "gemm_gflops", m.gemmGflops(),
          "roofline_ratio", m.rooflineRatio(), "backend", backend, "threads", threads));
    }

    public String table() {
      StringBuilder out = new StringBuilder();
      out.append(String.format(Locale.ROOT, "backend %s, threads %s; roofline = step GFLOP/s / %dx%dx%d sgemm GFLOP/s%n",
          backend, threads, GEMM_SIZE, GEMM_SIZE, GEMM_SIZE));
      out.append(String.format(Locale.ROOT, "%6s %10s %12s %12s %14s %9s %9s %9s %9s%n",
          "batch", "step ms", "samples/s", "SameDiff ms", "SD samples/s", "speedup", "GFLOP/s", "gemm", "roofline"));
      for (Measurement m : measurements) {
        out.append(String.format(Locale.ROOT, "%6d %10.3f %12.0f %12.3f %14.0f %8.2fx %9.1f %9.1f %9.3f%n",
            m.batch(), m.stepMs(), m.samplesPerS(), m.sameDiffStepMs(), m.sameDiffSamplesPerS(),
            m.speedupVsSameDiff(), m.stepGflops(), m.gemmGflops(), m.rooflineRatio()));
      }
      return out.toString();
    }
  }

  private TrainBenchmark() {}

  /**
   * @param config the policy to step (the default is {@code PolicyConfig.paper(128, 128)})
   * @param batches batch sizes to measure
   * @param seconds wall time spent per batch size, after a warm-up of a fifth of that
   */
  public static Report run(PolicyConfig config, int[] batches, double seconds) {
    INDArray a = Nd4j.rand(DataType.FLOAT, GEMM_SIZE, GEMM_SIZE);
    INDArray b = Nd4j.rand(DataType.FLOAT, GEMM_SIZE, GEMM_SIZE);
    INDArray c = Nd4j.create(DataType.FLOAT, GEMM_SIZE, GEMM_SIZE);
    Runnable gemm = () -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
    List<Measurement> measurements = new ArrayList<>();
    for (int n : batches) {
      Batch batch = randomBatch(config, n, n);
      PolicyLearner learner = new PolicyLearner(new GaussianPolicy(config, DataType.FLOAT, 1),
          new Drpo("DRPO", new BatchTopP(KeepFractionController.paper())), DivergenceGuard.defaults());
      Drpo weights = new Drpo("DRPO", new BatchTopP(KeepFractionController.paper()));
      SameDiffGaussianPolicy sameDiff = new SameDiffGaussianPolicy(new GaussianPolicy(config, DataType.FLOAT, 1));
      Runnable sameDiffStep = () -> {
        double[] coefficients = weights.weigh(batch, null, null).coefficients();
        sameDiff.fitStep(batch.states(), batch.actions(), Nd4j.create(coefficients, new long[] {n, 1}, DataType.FLOAT));
      };
      double[][] rounds = interleaved(seconds, gemm, () -> learner.step(batch), sameDiffStep);
      double flops = 2.0 * (3 * multiplyAdds(config, n) - (double) n * config.stateDim() * config.hidden()[0]
          + 2 * linearPathMultiplyAdds(config, n));
      double gemmFlops = 2.0 * GEMM_SIZE * GEMM_SIZE * GEMM_SIZE;
      double[] roofline = new double[rounds.length];
      double[] speedup = new double[rounds.length];
      for (int r = 0; r < rounds.length; r++) {
        roofline[r] = (flops / rounds[r][1]) / (gemmFlops / rounds[r][0]);
        speedup[r] = rounds[r][2] / rounds[r][1];
      }
      double gemmMs = median(rounds, 0);
      double stepMs = median(rounds, 1);
      double sameDiffMs = median(rounds, 2);
      measurements.add(new Measurement(n, stepMs, n / stepMs * 1e3, sameDiffMs, n / sameDiffMs * 1e3,
          flops / stepMs / 1e6, gemmFlops / gemmMs / 1e6, median(speedup), median(roofline)));
    }
    return new Report(Blas.backend(), threads(), measurements);
  }

  /**
   * Rounds of ~50 ms per task, the tasks taking turns, until the budget is spent (at least 5
   * rounds), after a warm-up of a fifth of the budget: rounds[r][t] = mean ms per call of task t.
   */
  static double[][] interleaved(double seconds, Runnable... tasks) {
    long budget = (long) (seconds * 1e9);
    long warmEnd = System.nanoTime() + budget / 5;
    do {
      for (Runnable task : tasks) {
        task.run();
      }
    } while (System.nanoTime() < warmEnd);
    List<double[]> rounds = new ArrayList<>();
    long end = System.nanoTime() + budget;
    while (System.nanoTime() < end || rounds.size() < 5) {
      double[] round = new double[tasks.length];
      for (int t = 0; t < tasks.length; t++) {
        long start = System.nanoTime();
        int calls = 0;
        do {
          tasks[t].run();
          calls++;
        } while (System.nanoTime() - start < 50_000_000L);
        round[t] = (System.nanoTime() - start) / 1e6 / calls;
      }
      rounds.add(round);
    }
    return rounds.toArray(double[][]::new);
  }

  private static double median(double[][] rounds, int column) {
    return median(Arrays.stream(rounds).mapToDouble(r -> r[column]).toArray());
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static double multiplyAdds(PolicyConfig config, long n) {
    int[] sizes = config.meanNetworkSizes();
    double macs = 0;
    for (int l = 0; l + 1 < sizes.length; l++) {
      macs += (double) n * sizes[l] * sizes[l + 1];
    }
    return macs;
  }

  /** The linear path's product, forward and for its gradient (the state needs none). */
  private static double linearPathMultiplyAdds(PolicyConfig config, long n) {
    return config.linearPath() ? (double) n * config.stateDim() * config.actionDim() : 0;
  }

  /** OMP_NUM_THREADS as the natives saw it at start-up (unset means all cores). */
  static String threads() {
    String omp = System.getenv("OMP_NUM_THREADS");
    return omp == null ? "\"unset (all " + Runtime.getRuntime().availableProcessors() + " cores)\"" : omp;
  }

  /** Gaussian states, unit-scale actions, uniform rewards. */
  static Batch randomBatch(PolicyConfig config, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] s = new float[n][config.stateDim()];
    float[][] a = new float[n][config.actionDim()];
    for (float[] row : s) {
      for (int j = 0; j < row.length; j++) {
        row[j] = (float) r.nextGaussian();
      }
    }
    for (float[] row : a) {
      for (int j = 0; j < row.length; j++) {
        row[j] = (float) (r.nextGaussian() / Math.sqrt(row.length));
      }
    }
    return Batch.of(s, a, r.doubles(n).toArray(), DataType.FLOAT);
  }
}
