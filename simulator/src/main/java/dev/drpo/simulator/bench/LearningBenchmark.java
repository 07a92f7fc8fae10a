package dev.drpo.simulator.bench;

import dev.drpo.model.catalog.EmbeddingsCsv;
import dev.drpo.model.learn.Batch;
import dev.drpo.model.learn.DivergenceGuard;
import dev.drpo.model.learn.PolicyLearner;
import dev.drpo.model.learn.Stats;
import dev.drpo.model.objective.Objective;
import dev.drpo.model.objective.Weights;
import dev.drpo.model.policy.Blas;
import dev.drpo.model.policy.GaussianPolicy;
import dev.drpo.model.policy.PolicyConfig;
import dev.drpo.simulator.LoggedData;
import dev.drpo.simulator.LoggingMix;
import dev.drpo.simulator.SimulatorConfig;
import dev.drpo.simulator.World;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The offline learning benchmark (docs/method.md section 6): every method trained on the same logged data
 * per seed, same backbone (2 x 128 ReLU, with or without the linear path, Adam 3e-4), same batch and steps, for the "medium" and
 * "extreme" logging mixes. Baselines with a grid have their setting chosen on validation seed 0
 * and are reported on seeds 1..N. No divergence guard beyond NaN (the point is to see collapses).
 * Also: the noise-injection sweep and the output-intensity curves of APG vs DRPO. Writes
 * DIR/learning.json and PNG charts.
 */
public final class LearningBenchmark {
  static final List<String> NOISE_METHODS = List.of("DRPO", "DRPO-Exp", "IQL", "AWR", "CRR", "AsymRe");
  static final int[] NOISE_PERCENT = {0, 20, 40, 60, 80};

  /**
   * @param simulator the environment
   * @param items loaded item embeddings, or null to generate them
   * @param users loaded user interests, or null to generate them
   * @param scenarios scenario name -> logging mix
   * @param steps training steps per run
   * @param batch samples per step (paper: 320)
   * @param seeds reported seeds (1..seeds); seed 0 is for choosing settings
   * @param threads runs trained at once
   * @param backbone the mean network of every method (the paper's MLP, or with the linear path)
   * @param hidden its hidden layer widths (paper: 128, 128)
   */
  public record Options(SimulatorConfig simulator, EmbeddingsCsv.Embeddings items, EmbeddingsCsv.Embeddings users,
      Map<String, LoggingMix> scenarios, int steps, int batch, int seeds, int threads, PolicyConfig.Backbone backbone,
      int[] hidden) {}

  /** One trained run. */
  record Run(String scenario, String method, double setting, long seed, World.Evaluation evaluation,
      double samplesPerS, List<double[]> intensity, List<double[]> droppedGradient) {}

  private LearningBenchmark() {}

  public static void run(Options o, Path out, PrintStream progress) throws Exception {
    long start = System.nanoTime();
    Files.createDirectories(out);
    World world = new World(o.simulator(), 1, o.items(), o.users());
    PolicyConfig paper = PolicyConfig.paper(o.simulator().stateDim(), o.simulator().dimension());
    PolicyConfig policy = new PolicyConfig(paper.stateDim(), o.hidden(), paper.actionDim(), paper.logSigmaMin(),
        paper.logSigmaMax(), paper.initialLogSigma(), paper.learningRate(), o.backbone());
    ExecutorService pool = Executors.newFixedThreadPool(o.threads());
    AtomicInteger done = new AtomicInteger();
    int total = o.scenarios().size() * (validationRuns() + Methods.ALL.size() * o.seeds())
        + (o.scenarios().containsKey("medium") ? NOISE_METHODS.size() * NOISE_PERCENT.length : 0);
    try {
      Map<String, Object> scenarios = new LinkedHashMap<>();
      Map<String, Map<String, Double>> chosen = new LinkedHashMap<>();
      Map<String, List<Run>> reported = new LinkedHashMap<>();
      for (Map.Entry<String, LoggingMix> scenario : o.scenarios().entrySet()) {
        String name = scenario.getKey();
        LoggedData validation = new LoggedData(world, scenario.getValue(), o.simulator().samples(), 0);
        Map<String, Double> settings = new LinkedHashMap<>();
        List<Future<Run>> grid = new ArrayList<>();
        for (String method : Methods.ALL) {
          settings.put(method, Double.NaN);
          if (Methods.grid(method).size() > 1) {
            for (double setting : Methods.grid(method)) {
              grid.add(pool.submit(() -> report(train(world, validation, name, method, setting, 0, policy, o, false), done, total, progress)));
            }
          }
        }
        List<Run> gridRuns = new ArrayList<>();
        for (Future<Run> f : grid) {
          gridRuns.add(f.get());
        }
        for (String method : Methods.ALL) {
          gridRuns.stream().filter(r -> r.method().equals(method))
              .max(Comparator.comparingDouble(r -> r.evaluation().reward()))
              .ifPresent(best -> settings.put(method, best.setting()));
        }
        chosen.put(name, settings);
        List<Future<Run>> runs = new ArrayList<>();
        for (long seed = 1; seed <= o.seeds(); seed++) {
          LoggedData logs = new LoggedData(world, scenario.getValue(), o.simulator().samples(), seed);
          long s = seed;
          for (String method : Methods.ALL) {
            boolean trace = s == 1 && (method.equals("APG") || method.equals("DRPO"));
            runs.add(pool.submit(() -> report(train(world, logs, name, method, settings.get(method), s, policy, o, trace), done, total, progress)));
          }
        }
        List<Run> results = new ArrayList<>();
        for (Future<Run> f : runs) {
          results.add(f.get());
        }
        reported.put(name, results);
        scenarios.put(name, scenarioJson(world, scenario.getValue(), results, settings));
      }
      Map<String, Map<String, Double>> sweep = new LinkedHashMap<>();
      if (o.scenarios().containsKey("medium")) {
        Map<Future<Run>, Integer> runs = new LinkedHashMap<>();
        for (int percent : NOISE_PERCENT) {
          LoggingMix mix = LoggingMix.MEDIUM.withRandomShare(percent / 100.0);
          LoggedData logs = new LoggedData(world, mix, o.simulator().samples(), 1);
          for (String method : NOISE_METHODS) {
            runs.put(pool.submit(() -> report(train(world, logs, "noise " + percent + "%", method,
                chosen.get("medium").get(method), 1, policy, o, false), done, total, progress)), percent);
          }
        }
        for (Map.Entry<Future<Run>, Integer> run : runs.entrySet()) {
          Run r = run.getKey().get();
          sweep.computeIfAbsent(r.method(), m -> new LinkedHashMap<>()).put(run.getValue().toString(), r.evaluation().ecpm());
        }
      }
      double wall = (System.nanoTime() - start) / 1e9;
      Report report = new Report(o, scenarios, reported, sweep, wall);
      Files.writeString(out.resolve("learning.json"), report.json());
      Charts.write(report, out);
      progress.printf(Locale.ROOT, "wrote %s and charts; wall time %.0f s, backend %s, OMP_NUM_THREADS=%s%n",
          out.resolve("learning.json"), wall, Blas.backend(), System.getenv("OMP_NUM_THREADS"));
      progress.print(report.summary());
    } finally {
      pool.shutdownNow();
    }
  }

  private static int validationRuns() {
    return Methods.ALL.stream().mapToInt(m -> Methods.grid(m).size() > 1 ? Methods.grid(m).size() : 0).sum();
  }

  private static Run report(Run r, AtomicInteger done, int total, PrintStream progress) {
    progress.printf(Locale.ROOT, "[%d/%d] %s seed %d %s %s: reward %.3f (%.2f of oracle), %.0f samples/s%n",
        done.incrementAndGet(), total, r.scenario(), r.seed(), r.method(), Methods.describe(r.method(), r.setting()),
        r.evaluation().reward(), r.evaluation().normalized(), r.samplesPerS());
    return r;
  }

  static Run train(World world, LoggedData logs, String scenario, String method, double setting, long seed,
      PolicyConfig config, Options o, boolean trace) {
    GaussianPolicy policy = new GaussianPolicy(config, DataType.FLOAT, 1000 + seed);
    Recording objective = new Recording(Methods.create(method, setting, config, o.steps(), seed));
    PolicyLearner learner = new PolicyLearner(policy, objective, DivergenceGuard.finiteOnly());
    SplittableRandom r = new SplittableRandom(seed * 7919 + method.hashCode());
    List<double[]> intensity = new ArrayList<>();
    List<double[]> dropped = new ArrayList<>();
    int every = Math.max(1, o.steps() / 50);
    long trainingNanos = 0;
    for (int step = 0; step < o.steps(); step++) {
      Batch batch = logs.batch(o.batch(), r);
      long t = System.nanoTime();
      var result = learner.step(batch);
      trainingNanos += System.nanoTime() - t;
      if (trace && step % every == 0) {
        intensity.add(new double[] {step, result.meanNorm(), result.meanLogSigma()});
        if (method.equals("DRPO")) {
          dropped.add(new double[] {step, droppedGradientNorm(policy, batch, objective.last)});
        }
      }
    }
    double samplesPerS = o.steps() * (double) o.batch() / (trainingNanos / 1e9);
    return new Run(scenario, method, setting, seed, world.evaluate(policy), samplesPerS, intensity, dropped);
  }

  /** Norm of the advantage policy gradient DRPO's dropped samples would have contributed. */
  static double droppedGradientNorm(GaussianPolicy policy, Batch batch, Weights drpo) {
    double[] advantage = Stats.centered(batch.rewards());
    double[] c = new double[advantage.length];
    for (int i = 0; i < c.length; i++) {
      c[i] = drpo.coefficients()[i] == 0 ? advantage[i] / c.length : 0;
    }
    policy.evaluate(batch.states(), batch.actions());
    policy.backward(c);
    INDArray g = policy.grads();
    return Math.sqrt(Nd4j.getBlasWrapper().dot(g, g));
  }

  /** Keeps the last weights an objective gave, for the dropped-sample gradient trace. */
  static final class Recording implements Objective {
    final Objective inner;
    Weights last;

    Recording(Objective inner) {
      this.inner = inner;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public Weights weigh(Batch batch, double[] logPi, GaussianPolicy policy) {
      last = inner.weigh(batch, logPi, policy);
      return last;
    }
  }

  /**
   * The reachable ceiling: the least-squares map from the training users' states to their best
   * items ({@link LinearBound#oracle}), evaluated on the held-out users like every policy.
   */
  static World.Evaluation linearOracle(World world) {
    return world.evaluate(LinearBound.oracle(world)::mean, 1);
  }

  static Map<String, Object> scenarioJson(World world, LoggingMix mix, List<Run> runs, Map<String, Double> settings) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("oracle_reward", runs.get(0).evaluation().oracleReward());
    s.put("logging_reward", world.loggingReward(mix, 99));
    World.Evaluation ceiling = linearOracle(world);
    s.put("linear_oracle_reward", ceiling.reward());
    s.put("linear_oracle_normalized", ceiling.normalized());
    Map<String, Object> methods = new LinkedHashMap<>();
    for (String method : Methods.ALL) {
      double[] rewards = runs.stream().filter(r -> r.method().equals(method)).mapToDouble(r -> r.evaluation().reward()).toArray();
      double[] normalized = runs.stream().filter(r -> r.method().equals(method)).mapToDouble(r -> r.evaluation().normalized()).toArray();
      double speed = runs.stream().filter(r -> r.method().equals(method)).mapToDouble(Run::samplesPerS).average().orElse(0);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("reward_mean", Stats.mean(rewards));
      m.put("reward_ci95", ci95(rewards));
      m.put("normalized_mean", Stats.mean(normalized));
      m.put("of_ceiling", Stats.mean(rewards) / ceiling.reward());
      m.put("seeds", rewards);
      m.put("setting", Methods.describe(method, settings.get(method)));
      m.put("samples_per_s", speed);
      methods.put(method, m);
    }
    s.put("methods", methods);
    return s;
  }

  /** Half-width of the 95% Student-t interval of the mean (0 for one seed). */
  static double ci95(double[] x) {
    int n = x.length;
    if (n < 2) {
      return 0;
    }
    double[] t = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262};
    double q = n - 1 <= t.length ? t[n - 2] : 1.96;
    double sd = Stats.std(x) * Math.sqrt(n / (n - 1.0));
    return q * sd / Math.sqrt(n);
  }

  /** What the run wrote. */
  record Report(Options options, Map<String, Object> scenarios, Map<String, List<Run>> runs,
      Map<String, Map<String, Double>> noiseSweep, double wallSeconds) {

    List<double[]> intensity(String method) {
      return runs.values().stream().flatMap(List::stream)
          .filter(r -> r.method().equals(method) && !r.intensity().isEmpty()).findFirst()
          .map(Run::intensity).orElse(List.of());
    }

    List<double[]> droppedGradient() {
      return runs.values().stream().flatMap(List::stream)
          .filter(r -> r.method().equals("DRPO") && !r.droppedGradient().isEmpty()).findFirst()
          .map(Run::droppedGradient).orElse(List.of());
    }

    String json() {
      Map<String, Object> root = new LinkedHashMap<>();
      Map<String, Object> config = new LinkedHashMap<>();
      config.put("simulator", options.simulator().toString());
      config.put("steps", options.steps());
      config.put("batch", options.batch());
      config.put("seeds", options.seeds());
      config.put("validation_seed", 0);
      config.put("policy", "ReLU hidden " + Arrays.toString(options.hidden()) + " Gaussian, Adam 3e-4, backbone " + options.backbone());
      config.put("backend", Blas.backend());
      root.put("config", config);
      root.put("scenarios", scenarios);
      root.put("noise_sweep", noiseSweep);
      Map<String, Object> intensity = new LinkedHashMap<>();
      intensity.put("APG", intensity("APG"));
      intensity.put("DRPO", intensity("DRPO"));
      root.put("intensity", intensity);
      root.put("dropped_gradient_norm", Map.of("DRPO", droppedGradient()));
      root.put("wall_time_s", wallSeconds);
      return ResultJson.write(root) + "\n";
    }

    @SuppressWarnings("unchecked")
    String summary() {
      StringBuilder out = new StringBuilder();
      for (Map.Entry<String, Object> s : scenarios.entrySet()) {
        Map<String, Object> scenario = (Map<String, Object>) s.getValue();
        out.append(String.format(Locale.ROOT, "%s: oracle %.3f, reachable ceiling (linear oracle) %.3f = %.3f of the oracle,"
            + " logging %.3f%n", s.getKey(), (Double) scenario.get("oracle_reward"), (Double) scenario.get("linear_oracle_reward"),
            (Double) scenario.get("linear_oracle_normalized"), (Double) scenario.get("logging_reward")));
        for (Map.Entry<String, Object> m : ((Map<String, Object>) scenario.get("methods")).entrySet()) {
          Map<String, Object> v = (Map<String, Object>) m.getValue();
          out.append(String.format(Locale.ROOT, "  %-12s reward %.3f +- %.3f  normalized %.3f  of ceiling %.3f  %8.0f samples/s  %s%n",
              m.getKey(), (Double) v.get("reward_mean"), (Double) v.get("reward_ci95"), (Double) v.get("normalized_mean"),
              (Double) v.get("of_ceiling"), (Double) v.get("samples_per_s"), v.get("setting")));
        }
      }
      return out.toString();
    }
  }

}
