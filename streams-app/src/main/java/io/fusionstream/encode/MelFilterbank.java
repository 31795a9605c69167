package io.fusionstream.encode;

/**
 * Triangular filters equally spaced on the HTK mel scale, {@code mel = 2595 log10(1 + f / 700)},
 * each peaking at 1 on its centre frequency and falling to 0 at its neighbours' centres.
 */
final class MelFilterbank {
  private MelFilterbank() {}

  static double hzToMel(double hz) {
    return 2595.0 * Math.log10(1.0 + hz / 700.0);
  }

  static double melToHz(double mel) {
    return 700.0 * (Math.pow(10.0, mel / 2595.0) - 1.0);
  }

  /** The melBands + 2 edge frequencies: filter m spans edges m..m+2 and peaks at edge m+1. */
  static double[] edgesHz(AudioSpec spec) {
    double low = hzToMel(spec.minHz());
    double high = hzToMel(spec.maxHz());
    double[] edges = new double[spec.melBands() + 2];
    for (int i = 0; i < edges.length; i++) {
      edges[i] = melToHz(low + (high - low) * i / (spec.melBands() + 1));
    }
    return edges;
  }

  /** Centre frequency of every band. */
  static double[] centresHz(AudioSpec spec) {
    double[] edges = edgesHz(spec);
    double[] centres = new double[spec.melBands()];
    System.arraycopy(edges, 1, centres, 0, centres.length);
    return centres;
  }

  /** Weights [melBands][fftSize / 2 + 1] over the STFT frequency bins. */
  static float[][] weights(AudioSpec spec) {
    double[] edges = edgesHz(spec);
    int bins = spec.fftSize() / 2 + 1;
    float[][] w = new float[spec.melBands()][bins];
    for (int m = 0; m < spec.melBands(); m++) {
      double left = edges[m];
      double centre = edges[m + 1];
      double right = edges[m + 2];
      for (int k = 0; k < bins; k++) {
        double hz = k * (double) spec.sampleRate() / spec.fftSize();
        double rising = (hz - left) / (centre - left);
        double falling = (right - hz) / (right - centre);
        w[m][k] = (float) Math.max(0, Math.min(rising, falling));
      }
    }
    return w;
  }
}
