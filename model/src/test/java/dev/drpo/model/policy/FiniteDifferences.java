package dev.drpo.model.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Central finite differences in float64, for gradient checks. */
public final class FiniteDifferences {
  private static final double H = 1e-6;

  private FiniteDifferences() {}

  /** d loss / d params by central differences, perturbing each entry of the flat vector in place. */
  public static double[] gradient(INDArray params, DoubleSupplier loss) {
    double[] g = new double[(int) params.length()];
    for (int i = 0; i < g.length; i++) {
      double x = params.getDouble(i);
      params.putScalar(i, x + H);
      double plus = loss.getAsDouble();
      params.putScalar(i, x - H);
      double minus = loss.getAsDouble();
      params.putScalar(i, x);
      g[i] = (plus - minus) / (2 * H);
    }
    return g;
  }

  /** Each entry within 1e-5 relative error (absolute 1e-8 near zero), and not all zero. */
  public static void assertClose(double[] analytic, double[] numeric) {
    assertThat(analytic).hasSameSizeAs(numeric);
    double largest = 0;
    for (int i = 0; i < analytic.length; i++) {
      double scale = Math.max(Math.abs(analytic[i]), Math.abs(numeric[i]));
      largest = Math.max(largest, scale);
      assertThat(Math.abs(analytic[i] - numeric[i]))
          .as("gradient entry %d: analytic %s, numeric %s", i, analytic[i], numeric[i])
          .isLessThanOrEqualTo(1e-5 * scale + 1e-8);
    }
    assertThat(largest).as("gradient is not identically zero").isGreaterThan(1e-6);
  }
}
