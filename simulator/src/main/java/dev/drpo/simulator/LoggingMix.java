package dev.drpo.simulator;

/**
 * Shares of the logging policy's three parts (docs/method.md section 5): pi_expert (items near the user's
 * interest), pi_pop (popular, moderately relevant), pi_rand (uniform).
 */
public record LoggingMix(double expert, double popular, double random) {
  public static final LoggingMix MEDIUM = new LoggingMix(0.10, 0.60, 0.30);
  public static final LoggingMix EXTREME = new LoggingMix(0.05, 0.05, 0.90);

  public LoggingMix {
    if (expert < 0 || popular < 0 || random < 0 || Math.abs(expert + popular + random - 1) > 1e-9) {
      throw new IllegalArgumentException("logging shares must be >= 0 and sum to 1: " + expert + "/" + popular + "/" + random);
    }
  }

  /** "medium", "extreme", or "E/P/R" in percent (e.g. "10/60/30"). */
  public static LoggingMix parse(String text) {
    switch (text) {
      case "medium":
        return MEDIUM;
      case "extreme":
        return EXTREME;
      default:
        String[] parts = text.split("/");
        if (parts.length != 3) {
          throw new IllegalArgumentException("a logging mix is medium, extreme or E/P/R in percent, got " + text);
        }
        return new LoggingMix(Double.parseDouble(parts[0]) / 100, Double.parseDouble(parts[1]) / 100,
            Double.parseDouble(parts[2]) / 100);
    }
  }

  /** The same expert/popular balance with a given share of uniform noise (the noise-injection sweep). */
  public LoggingMix withRandomShare(double share) {
    double rest = expert + popular;
    return new LoggingMix(expert / rest * (1 - share), popular / rest * (1 - share), share);
  }
}
