package io.fusionstream.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Median and range of one figure over repetitions. Repetitions are few (3 by default), so the
 * range is reported rather than a standard deviation, which would pretend to more than 3 points say.
 */
public record Spread(double median, double min, double max, int n) {

  /** NaN values (a figure a repetition could not measure) are left out; all NaN gives NaN. */
  public static Spread of(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
    if (v.length == 0) {
      return new Spread(Double.NaN, Double.NaN, Double.NaN, 0);
    }
    int mid = v.length / 2;
    double median = v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    return new Spread(median, v[0], v[v.length - 1], v.length);
  }

  /**
   * The q-quantile (0 < q <= 1) by the nearest-rank method: the smallest value with at least q of
   * the values at or below it. Nearest rank never invents a latency that was not observed.
   */
  public static double percentile(long[] values, double q) {
    if (!(q > 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile must be in (0, 1], was " + q);
    }
    if (values.length == 0) {
      return Double.NaN;
    }
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  /** "12.3 (11.0-14.1)", or "n/a"; the digits follow the median's size. */
  public String format() {
    if (n == 0) {
      return "n/a";
    }
    return n == 1 ? number(median) : number(median) + " (" + number(min) + "-" + number(max) + ")";
  }

  static String number(double v) {
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(java.util.Locale.ROOT, "%.0f", v);
    }
    if (a >= 10) {
      return String.format(java.util.Locale.ROOT, "%.1f", v);
    }
    return String.format(java.util.Locale.ROOT, "%.2f", v);
  }
}
