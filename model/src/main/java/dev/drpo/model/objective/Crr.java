package dev.drpo.model.objective;

import dev.drpo.model.learn.Batch;
import dev.drpo.model.policy.Critic;
import dev.drpo.model.policy.GaussianPolicy;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Critic-regularized regression (Wang et al. 2020, eq. 3 with the advantage estimate of eq. 4), in
 * the one-step bandit form: a critic Q(s, a) regressed on the logged reward, A(s, a) = Q(s, a) -
 * (1/m) sum_j Q(s, a'_j) with a'_j ~ pi(.|s) (m = 4, baseline treated as a constant), then
 * L = -(1/N) sum_i f(A_i) log pi(a_i|s_i) with f = 1[A &gt; 0] (binary) or min(exp(A / beta), 20)
 * (exp). Paper grid: beta in {0.5, 1, 5}.
 */
public final class Crr implements Objective {
  public static final int ACTION_SAMPLES = 4;
  public static final double WEIGHT_CAP = 20.0;

  /** The advantage filter f. */
  public enum Mode {
    BINARY,
    EXP
  }

  private final Mode mode;
  private final double beta;
  private final Critic q;
  private final SplittableRandom random;

  public Crr(Mode mode, double beta, Critic q, long seed) {
    this.mode = mode;
    this.beta = beta;
    this.q = q;
    this.random = new SplittableRandom(seed);
  }

  @Override
  public String name() {
    return "CRR";
  }

  @Override
  public Weights weigh(Batch batch, double[] logPi, GaussianPolicy policy) {
    int n = batch.size();
    INDArray logged = Nd4j.hstack(batch.states(), batch.actions());
    q.regress(logged, batch.rewards(), 0.5);
    double[] qLogged = q.predict(logged);
    INDArray mu = policy.lastMean().dup();
    INDArray sigma = Transforms.exp(policy.logSigma(), true);
    double[] baseline = new double[n];
    for (int j = 0; j < ACTION_SAMPLES; j++) {
      double[] noise = new double[(int) mu.length()];
      for (int k = 0; k < noise.length; k++) {
        noise[k] = random.nextGaussian();
      }
      INDArray sampled = Nd4j.create(noise, mu.shape(), mu.dataType()).muliRowVector(sigma).addi(mu);
      double[] qSampled = q.predict(Nd4j.hstack(batch.states(), sampled));
      for (int i = 0; i < n; i++) {
        baseline[i] += qSampled[i] / ACTION_SAMPLES;
      }
    }
    double[] c = new double[n];
    for (int i = 0; i < n; i++) {
      double a = qLogged[i] - baseline[i];
      double f = mode == Mode.BINARY ? (a > 0 ? 1 : 0) : Math.min(Math.exp(a / beta), WEIGHT_CAP);
      c[i] = f / n;
    }
    return Weights.unfiltered(c);
  }
}
