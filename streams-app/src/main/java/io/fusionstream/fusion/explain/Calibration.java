package io.fusionstream.fusion.explain;

import java.util.List;

/**
 * Whether a score of 0.9 means right 90% of the time: expected calibration error, and temperature
 * scaling (Guo et al., 2017), the one-parameter fix that divides the logits by T before the
 * softmax. T is fitted by minimising the negative log-likelihood on validation windows; it never
 * changes which label wins.
 */
public final class Calibration {
  public static final int BINS = 10;
  private static final double MIN_INVERSE = 0.02;
  private static final double MAX_INVERSE = 20;

  private Calibration() {}

  /**
   * Expected calibration error over {@code bins} equal-width confidence bins: sum over bins of
   * (windows in bin / all) x |accuracy in bin - mean confidence in bin|. A confidence of exactly
   * 1 falls in the last bin.
   *
   * @param confidence the winning label's score per window
   * @param correct whether the winning label is right
   */
  public static double ece(double[] confidence, boolean[] correct, int bins) {
    if (confidence.length != correct.length || bins < 1) {
      throw new IllegalArgumentException("one outcome per confidence and at least one bin expected");
    }
    if (confidence.length == 0) {
      return Double.NaN;
    }
    double[] sumConfidence = new double[bins];
    int[] right = new int[bins];
    int[] count = new int[bins];
    for (int i = 0; i < confidence.length; i++) {
      int b = Math.min(bins - 1, (int) Math.floor(confidence[i] * bins));
      sumConfidence[b] += confidence[i];
      count[b]++;
      if (correct[i]) {
        right[b]++;
      }
    }
    double ece = 0;
    for (int b = 0; b < bins; b++) {
      if (count[b] > 0) {
        ece += Math.abs(right[b] - sumConfidence[b]) / confidence.length;
      }
    }
    return ece;
  }

  /**
   * Probabilities as if their logits had been divided by {@code temperature}: p_l^(1/T)
   * renormalised, which is softmax(log p / T), so scores suffice and no logits are needed.
   */
  public static double[] scale(double[] probabilities, double temperature) {
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be positive: " + temperature);
    }
    double[] logs = new double[probabilities.length];
    double max = Double.NEGATIVE_INFINITY;
    for (int l = 0; l < logs.length; l++) {
      logs[l] = Math.log(Math.max(probabilities[l], Double.MIN_NORMAL)) / temperature;
      max = Math.max(max, logs[l]);
    }
    double sum = 0;
    double[] out = new double[logs.length];
    for (int l = 0; l < logs.length; l++) {
      out[l] = Math.exp(logs[l] - max);
      sum += out[l];
    }
    for (int l = 0; l < out.length; l++) {
      out[l] /= sum;
    }
    return out;
  }

  /** Mean negative log-likelihood of the true labels after scaling by {@code temperature}. */
  public static double nll(List<double[]> probabilities, int[] labels, double temperature) {
    double sum = 0;
    for (int i = 0; i < labels.length; i++) {
      sum -= Math.log(Math.max(scale(probabilities.get(i), temperature)[labels[i]], Double.MIN_NORMAL));
    }
    return sum / labels.length;
  }

  /**
   * The temperature in [0.05, 50] with the lowest {@link #nll}. The NLL is convex in 1/T (a
   * log-sum-exp minus a linear term), so a golden-section search on 1/T finds the minimum.
   */
  public static double fitTemperature(List<double[]> probabilities, int[] labels) {
    if (probabilities.size() != labels.length || labels.length == 0) {
      throw new IllegalArgumentException("one label per score vector and at least one window expected");
    }
    double phi = (Math.sqrt(5) - 1) / 2;
    double lo = MIN_INVERSE;
    double hi = MAX_INVERSE;
    double a = hi - phi * (hi - lo);
    double b = lo + phi * (hi - lo);
    double fa = nll(probabilities, labels, 1 / a);
    double fb = nll(probabilities, labels, 1 / b);
    for (int k = 0; k < 80 && hi - lo > 1e-6; k++) {
      if (fa <= fb) {
        hi = b;
        b = a;
        fb = fa;
        a = hi - phi * (hi - lo);
        fa = nll(probabilities, labels, 1 / a);
      } else {
        lo = a;
        a = b;
        fa = fb;
        b = lo + phi * (hi - lo);
        fb = nll(probabilities, labels, 1 / b);
      }
    }
    return 1 / ((lo + hi) / 2);
  }
}
