package dev.drpo.model.policy;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The same Gaussian policy and weighted log-likelihood loss as a SameDiff graph, differentiated by
 * SameDiff's autodiff: the test oracle for {@link GaussianPolicy}'s hand-written backward pass, and
 * the baseline the training benchmark measures the hot path against. The loss's weighted sum is
 * written as a matrix product, c^T log pi, which was SameDiff's fastest form here. (Not as
 * {@code sd.mmul(c, logPi, true, false, false)}: in 1.0.0-M2.1 the transpose flag gives wrong
 * gradients; an explicit transpose is exact.)
 */
public final class SameDiffGaussianPolicy {
  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

  private final SameDiff sd = SameDiff.create();
  private final PolicyConfig config;
  private final String[] parameterNames;

  /** A graph holding a copy of the policy's current parameters. */
  public SameDiffGaussianPolicy(GaussianPolicy policy) {
    this.config = policy.config();
    DataType type = policy.dataType();
    Mlp mlp = policy.meanNetwork();
    int layers = mlp.sizes().length - 1;
    INDArray linear = mlp.linearPath();
    int linearParts = linear == null ? 0 : 2;
    parameterNames = new String[2 * layers + linearParts + 1];
    SDVariable s = sd.placeHolder("s", type, -1, config.stateDim());
    SDVariable a = sd.placeHolder("a", type, -1, config.actionDim());
    SDVariable c = sd.placeHolder("c", type, -1, 1);
    SDVariable x = s;
    for (int l = 0; l < layers; l++) {
      SDVariable w = sd.var("w" + l, mlp.weight(l).dup());
      SDVariable b = sd.var("b" + l, mlp.bias(l).dup());
      parameterNames[2 * l] = "w" + l;
      parameterNames[2 * l + 1] = "b" + l;
      x = x.mmul(w).add(b);
      if (l < layers - 1) {
        x = sd.nn.relu(x, 0.0);
      }
    }
    if (linear != null) {
      long in = config.stateDim();
      // an owned copy first: on the view into the parameter buffer, ND4J M2.1's interval get returned
      // an empty array for the bias row whenever the path did not start where 2 x 128 layers put it
      INDArray owned = linear.dup();
      SDVariable lw = sd.var("lw", owned.get(NDArrayIndex.interval(0, in), NDArrayIndex.all()).dup());
      SDVariable lb = sd.var("lb", owned.get(NDArrayIndex.interval(in, in + 1), NDArrayIndex.all()).dup());
      parameterNames[2 * layers] = "lw";
      parameterNames[2 * layers + 1] = "lb";
      x = x.add(s.mmul(lw).add(lb));
    }
    SDVariable logSigma = sd.var("logSigma", policy.logSigma().dup());
    parameterNames[2 * layers + linearParts] = "logSigma";
    SDVariable z = a.sub(x).mul(sd.math.exp(logSigma.neg()));
    SDVariable logPi = z.mul(z).mul(-0.5).sub(logSigma).sub(HALF_LOG_TWO_PI).sum(true, 1);
    SDVariable loss = sd.mmul(sd.transpose(c), logPi).neg().sum();
    sd.setLossVariables(loss);
    sd.setTrainingConfig(TrainingConfig.builder()
        .updater(new Adam(config.learningRate()))
        .dataSetFeatureMapping("s", "a", "c")
        .markLabelsUnused()
        .minimize(true)
        .build());
    quietly(sd::createGradFunction);
  }

  /** SameDiff 1.0.0-M2.1 prints a line per differentiated op to System.out while it builds the gradient graph. */
  private static void quietly(Runnable build) {
    PrintStream out = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    try {
      build.run();
    } finally {
      System.setOut(out);
    }
  }

  /** Gradient of -sum_i c_i log pi(a_i|s_i), flattened in {@link GaussianPolicy#params()}'s layout. */
  public INDArray gradient(INDArray states, INDArray actions, double[] coefficients) {
    Map<String, INDArray> grads = sd.calculateGradients(placeholders(states, actions, coefficients), parameterNames);
    INDArray[] parts = new INDArray[parameterNames.length];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = grads.get(parameterNames[i]).reshape(-1);
    }
    return Nd4j.concat(0, parts);
  }

  /** One Adam step through SameDiff's own training loop (for the benchmark). */
  public void fitStep(INDArray states, INDArray actions, INDArray coefficients) {
    sd.fit(new MultiDataSet(new INDArray[] {states, actions, coefficients}, new INDArray[0]));
  }

  private Map<String, INDArray> placeholders(INDArray states, INDArray actions, double[] coefficients) {
    Map<String, INDArray> p = new HashMap<>();
    p.put("s", states);
    p.put("a", actions);
    p.put("c", Nd4j.create(coefficients, new long[] {coefficients.length, 1}, states.dataType()));
    return p;
  }
}
