package io.fusionstream.fusion.explain;

import io.fusionstream.fusion.FusionArchitecture;
import io.fusionstream.schema.Modality;
import java.util.Map;
import java.util.Optional;

/**
 * Whether modality weights say which modality a prediction rests on. Two checks: a modality known
 * to be noise should get the lowest weight, and removing the top-weighted modality should cost more
 * accuracy than removing the bottom-weighted one.
 */
public final class Faithfulness {
  private Faithfulness() {}

  /**
   * The present modality with the highest weight; empty unless at least two are present and one
   * is strictly highest (equal weights name no modality, so uniform strategies score nothing).
   */
  public static Optional<Modality> top(Map<Modality, Float> weights) {
    return extreme(weights, 1);
  }

  /** The present modality with the strictly lowest weight, under the same rules as {@link #top}. */
  public static Optional<Modality> bottom(Map<Modality, Float> weights) {
    return extreme(weights, -1);
  }

  private static Optional<Modality> extreme(Map<Modality, Float> weights, int sign) {
    if (weights.size() < 2) {
      return Optional.empty();
    }
    Modality best = null;
    boolean tied = false;
    for (Modality m : FusionArchitecture.ORDER) {
      Float w = weights.get(m);
      if (w == null) {
        continue;
      }
      if (best == null || sign * Float.compare(w, weights.get(best)) > 0) {
        best = m;
        tied = false;
      } else if (Float.compare(w, weights.get(best)) == 0) {
        tied = true;
      }
    }
    return tied ? Optional.empty() : Optional.ofNullable(best);
  }

  /**
   * Share of noise windows in which the noised modality got the strictly lowest weight of the
   * present ones.
   *
   * @param weights the weights of each noise window (the noised modality present, with others)
   * @param noised the noised modality of each window
   * @return NaN when there are no windows
   */
  public static double noisedLowest(java.util.List<Map<Modality, Float>> weights,
      java.util.List<Modality> noised) {
    if (weights.size() != noised.size()) {
      throw new IllegalArgumentException("one noised modality per window expected");
    }
    if (weights.isEmpty()) {
      return Double.NaN;
    }
    int lowest = 0;
    for (int i = 0; i < weights.size(); i++) {
      if (bottom(weights.get(i)).filter(noised.get(i)::equals).isPresent()) {
        lowest++;
      }
    }
    return lowest / (double) weights.size();
  }

  /**
   * Accuracy lost by removing each window's top-weighted modality and its bottom-weighted one,
   * on the same windows.
   *
   * @param full whether each window is right with all its modalities
   * @param withoutTop whether it is right with its top-weighted modality removed
   * @param withoutBottom whether it is right with its bottom-weighted modality removed
   */
  public static Removal removal(boolean[] full, boolean[] withoutTop, boolean[] withoutBottom) {
    if (full.length != withoutTop.length || full.length != withoutBottom.length) {
      throw new IllegalArgumentException("one outcome per window expected in each array");
    }
    double n = full.length;
    if (n == 0) {
      return new Removal(0, Double.NaN, Double.NaN);
    }
    double accuracy = count(full) / n;
    return new Removal(full.length, accuracy - count(withoutTop) / n, accuracy - count(withoutBottom) / n);
  }

  private static int count(boolean[] values) {
    int n = 0;
    for (boolean v : values) {
      if (v) {
        n++;
      }
    }
    return n;
  }

  /**
   * @param windows windows with a strict top and bottom modality
   * @param dropTop accuracy lost (positive) by removing the top-weighted modality
   * @param dropBottom accuracy lost by removing the bottom-weighted modality
   */
  public record Removal(int windows, double dropTop, double dropBottom) {
    /** Faithful when removing what the weights call most important hurts more. */
    public boolean faithful() {
      return dropTop > dropBottom;
    }
  }
}
