package io.fusionstream.fusion;

import java.util.List;

/** How several vectors of one modality in a window become one: the element-wise mean. */
public final class ModalityPooling {
  private ModalityPooling() {}

  public static float[] mean(List<float[]> vectors) {
    if (vectors.isEmpty()) {
      throw new IllegalArgumentException("nothing to pool");
    }
    int dim = vectors.get(0).length;
    double[] sum = new double[dim];
    for (float[] v : vectors) {
      if (v.length != dim) {
        throw new IllegalArgumentException("vectors of lengths " + dim + " and " + v.length);
      }
      for (int k = 0; k < dim; k++) {
        sum[k] += v[k];
      }
    }
    float[] mean = new float[dim];
    for (int k = 0; k < dim; k++) {
      mean[k] = (float) (sum[k] / vectors.size());
    }
    return mean;
  }
}
