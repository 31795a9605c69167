package io.fusionstream.fusion.explain;

/**
 * How well "consistency under a threshold" finds the windows where one modality contradicts the
 * others. Only windows with at least two modalities can be flagged (one modality has nothing to
 * disagree with) but every contradicting window counts toward recall.
 */
public final class DisagreementDetection {
  private DisagreementDetection() {}

  /**
   * Precision, recall and F1 of the flag at one threshold.
   *
   * @param flaggable whether each window has at least two modalities
   * @param contradicting the ground truth of each window
   */
  public static Score at(double threshold, float[] consistency, boolean[] flaggable, boolean[] contradicting) {
    check(consistency, flaggable, contradicting);
    int tp = 0;
    int fp = 0;
    int fn = 0;
    for (int i = 0; i < consistency.length; i++) {
      boolean flag = flaggable[i] && consistency[i] < threshold;
      if (flag && contradicting[i]) {
        tp++;
      } else if (flag) {
        fp++;
      } else if (contradicting[i]) {
        fn++;
      }
    }
    return Score.of(threshold, tp, fp, fn);
  }

  /**
   * The threshold with the highest F1: every midpoint between neighbouring consistency values of
   * flaggable windows is tried, plus one above the largest; among equal F1 the lowest threshold
   * (fewest flags) wins. Null when no window contradicts (nothing to fit).
   */
  public static Score best(float[] consistency, boolean[] flaggable, boolean[] contradicting) {
    check(consistency, flaggable, contradicting);
    boolean any = false;
    for (boolean c : contradicting) {
      any |= c;
    }
    if (!any) {
      return null;
    }
    double[] values = java.util.stream.IntStream.range(0, consistency.length)
        .filter(i -> flaggable[i]).mapToDouble(i -> consistency[i]).sorted().distinct().toArray();
    Score best = at(0, consistency, flaggable, contradicting);
    for (int k = 0; k < values.length; k++) {
      double t = k + 1 < values.length ? (values[k] + values[k + 1]) / 2 : Math.nextUp(values[k]);
      Score s = at(t, consistency, flaggable, contradicting);
      if (s.f1() > best.f1()) {
        best = s;
      }
    }
    return best;
  }

  private static void check(float[] consistency, boolean[] flaggable, boolean[] contradicting) {
    if (consistency.length != flaggable.length || consistency.length != contradicting.length) {
      throw new IllegalArgumentException("one value per window expected in each array");
    }
  }

  /** Counts at one threshold; precision is NaN when nothing is flagged, recall when nothing contradicts. */
  public record Score(double threshold, int truePositives, int falsePositives, int falseNegatives) {
    static Score of(double threshold, int tp, int fp, int fn) {
      return new Score(threshold, tp, fp, fn);
    }

    public double precision() {
      return truePositives + falsePositives == 0 ? Double.NaN
          : truePositives / (double) (truePositives + falsePositives);
    }

    public double recall() {
      return truePositives + falseNegatives == 0 ? Double.NaN
          : truePositives / (double) (truePositives + falseNegatives);
    }

    /** 2TP / (2TP + FP + FN); 0 when nothing is flagged or found. */
    public double f1() {
      int denominator = 2 * truePositives + falsePositives + falseNegatives;
      return denominator == 0 ? 0 : 2.0 * truePositives / denominator;
    }
  }
}
