package dev.drpo.job.cli;

import dev.drpo.model.policy.PolicyConfig;
import java.util.Arrays;
import java.util.Locale;

/** The mean network's names on the command line and in job.yaml: mlp, mlp-linear. */
final class Backbones {
  private Backbones() {}

  static PolicyConfig.Backbone parse(String option, String text) {
    try {
      return PolicyConfig.Backbone.valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": expected one of " + Arrays.stream(PolicyConfig.Backbone.values())
          .map(b -> b.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList() + ", got '" + text + "'");
    }
  }
}
