package dev.drpo.simulator.bench;

import dev.drpo.model.filter.BatchTopP;
import dev.drpo.model.filter.KeepFractionController;
import dev.drpo.model.filter.RunningQuantile;
import dev.drpo.model.objective.AdaptiveBc;
import dev.drpo.model.objective.Apg;
import dev.drpo.model.objective.AsymRe;
import dev.drpo.model.objective.Awr;
import dev.drpo.model.objective.Bc;
import dev.drpo.model.objective.Bppo;
import dev.drpo.model.objective.Crr;
import dev.drpo.model.objective.Drpo;
import dev.drpo.model.objective.DrpoExp;
import dev.drpo.model.objective.Iql;
import dev.drpo.model.objective.Objective;
import dev.drpo.model.policy.Critic;
import dev.drpo.model.policy.PolicyConfig;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Every method of the learning benchmark, by the name reports use, with the paper's grid of
 * settings for the baselines (docs/method.md section 6). A setting is chosen on a validation seed.
 */
final class Methods {
  static final List<String> ALL = List.of("DRPO", "DRPO-Exp", "Adaptive BC", "DRPO-Stream", "BC", "APG", "AWR", "CRR",
      "IQL", "BPPO", "AsymRe");

  private Methods() {}

  /** The settings to try for a method; one element for methods without a grid. */
  static List<Double> grid(String method) {
    return switch (method) {
      case "AWR" -> List.of(0.05, 0.1, 1.0);
      case "CRR" -> List.of(0.5, 1.0, 5.0);
      case "IQL" -> List.of(0.5, 0.7, 0.9);
      case "BPPO" -> List.of(0.1, 0.2, 0.3);
      default -> List.of(Double.NaN);
    };
  }

  static String describe(String method, double setting) {
    return switch (method) {
      case "AWR", "CRR" -> "beta=" + setting;
      case "IQL" -> "expectile=" + setting;
      case "BPPO" -> "clip=" + setting;
      case "DRPO-Exp" -> "beta=" + DrpoExp.PAPER_BETA;
      case "AsymRe" -> "negative weight " + AsymRe.PAPER_NEGATIVE_WEIGHT;
      case "DRPO-Stream" -> "horizon 10 x 3,200 samples, tick 320";
      default -> "";
    };
  }

  static Objective create(String method, double setting, PolicyConfig policy, int steps, long seed) {
    int stateAction = policy.stateDim() + policy.actionDim();
    return switch (method) {
      case "DRPO" -> new Drpo("DRPO", new BatchTopP(KeepFractionController.paper()));
      case "DRPO-Exp" -> new DrpoExp(new BatchTopP(KeepFractionController.paper()), DrpoExp.PAPER_BETA);
      case "Adaptive BC" -> new AdaptiveBc(new BatchTopP(KeepFractionController.paper()));
      case "DRPO-Stream" -> new Drpo("DRPO-Stream",
          new RunningQuantile(RunningQuantile.Config.count(3_200, 10, 320), KeepFractionController.paper()));
      case "BC" -> new Bc();
      case "APG" -> new Apg();
      case "AWR" -> new Awr(setting);
      case "CRR" -> new Crr(Crr.Mode.EXP, setting, critic(stateAction, policy, seed), seed);
      case "IQL" -> new Iql(setting, critic(stateAction, policy, seed), critic(policy.stateDim(), policy, seed + 1));
      case "BPPO" -> new Bppo(setting, steps / 5, 100);
      case "AsymRe" -> new AsymRe(AsymRe.PAPER_NEGATIVE_WEIGHT);
      default -> throw new IllegalArgumentException("unknown method " + method + "; known: " + ALL);
    };
  }

  /** A critic keeps the paper's 2 x 128 whatever the policy's mean network is: the backbone is the policy's. */
  private static Critic critic(int inputs, PolicyConfig policy, long seed) {
    return new Critic(inputs, PolicyConfig.paper(1, 1).hidden(), policy.learningRate(), DataType.FLOAT, seed);
  }
}
