package io.fusionstream.encode;

/** Small vector helpers shared by the encoders and their tests. */
public final class Vectors {
  private Vectors() {}

  /**
   * The values of a model output as floats, whatever its float type: ONNX Runtime's NDArray cannot
   * convert types, and exports in float16 or float64 exist.
   */
  static float[] floats(ai.djl.ndarray.NDArray array) {
    switch (array.getDataType()) {
      case FLOAT32:
        return array.toFloatArray();
      case FLOAT64: {
        double[] d = array.toDoubleArray();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
          f[i] = (float) d[i];
        }
        return f;
      }
      default: {
        Number[] n = array.toArray();
        float[] f = new float[n.length];
        for (int i = 0; i < n.length; i++) {
          f[i] = n[i].floatValue();
        }
        return f;
      }
    }
  }

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
