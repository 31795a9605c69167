package io.fusionstream.fusion;

import io.fusionstream.schema.Modality;
import java.util.List;

/** Per-feature mean and scale of one modality over the training windows where it is present. */
record Standardisation(float[] mean, float[] scale) {

  static Standardisation fit(List<LabeledWindow> windows, Modality m, int dim) {
    double[] sum = new double[dim];
    double[] sq = new double[dim];
    int n = 0;
    for (LabeledWindow w : windows) {
      float[] v = w.input().pooled().get(m);
      if (v == null) {
        continue;
      }
      n++;
      for (int k = 0; k < dim; k++) {
        sum[k] += v[k];
        sq[k] += (double) v[k] * v[k];
      }
    }
    float[] mean = new float[dim];
    float[] std = new float[dim];
    if (n == 0) {
      java.util.Arrays.fill(std, 1f);
      return new Standardisation(mean, std);
    }
    double meanStd = 0;
    for (int k = 0; k < dim; k++) {
      mean[k] = (float) (sum[k] / n);
      std[k] = (float) Math.sqrt(Math.max(0, sq[k] / n - mean[k] * (double) mean[k]));
      meanStd += std[k] / dim;
    }
    // a feature that hardly varies in training must not explode when it varies at run time
    float floor = (float) Math.max(1e-6, 0.05 * meanStd);
    for (int k = 0; k < dim; k++) {
      std[k] = Math.max(std[k], floor);
    }
    return new Standardisation(mean, std);
  }
}
