package io.fusionstream.encode;

/** Small vector helpers shared by the encoders and their tests. */
public final class Vectors {
  private Vectors() {}

  /** Scales {@code v} to unit length in place; a zero vector stays zero. */
  public static float[] l2Normalize(float[] v) {
    double norm = norm(v);
    if (norm > 0) {
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (v[i] / norm);
      }
    }
    return v;
  }

  public static double norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += x * (double) x;
    }
    return Math.sqrt(sum);
  }

  public static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
    }
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * (double) b[i];
    }
    double denominator = norm(a) * norm(b);
    return denominator == 0 ? 0 : dot / denominator;
  }
}
