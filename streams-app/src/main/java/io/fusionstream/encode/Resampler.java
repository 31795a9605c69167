package io.fusionstream.encode;

/**
 * Band-limited resampling by windowed-sinc interpolation. When downsampling the sinc cutoff drops
 * to the new Nyquist frequency, so content above it is filtered out instead of aliasing into the
 * bands the model listens to (linear interpolation would fold a 12 kHz tone at 44.1 kHz into 4 kHz
 * at 16 kHz).
 */
final class Resampler {
  /** Zero crossings of the sinc on each side: quality versus cost. */
  private static final int HALF_ZEROS = 16;

  private Resampler() {}

  static float[] resample(float[] in, int fromRate, int toRate) {
    if (fromRate == toRate || in.length == 0) {
      return in;
    }
    double ratio = toRate / (double) fromRate;
    double cutoff = Math.min(1.0, ratio); // relative to the input Nyquist frequency
    double halfWidth = HALF_ZEROS / cutoff; // in input samples
    int outLength = (int) Math.max(1, Math.round(in.length * ratio));
    float[] out = new float[outLength];
    for (int n = 0; n < outLength; n++) {
      double centre = n / ratio;
      int first = (int) Math.ceil(centre - halfWidth);
      int last = (int) Math.floor(centre + halfWidth);
      double sum = 0;
      for (int k = Math.max(0, first); k <= Math.min(in.length - 1, last); k++) {
        double t = k - centre;
        sum += in[k] * cutoff * sinc(cutoff * t) * hann(t / halfWidth);
      }
      out[n] = (float) sum;
    }
    return out;
  }

  private static double sinc(double x) {
    if (Math.abs(x) < 1e-9) {
      return 1.0;
    }
    double px = Math.PI * x;
    return Math.sin(px) / px;
  }

  /** Hann window over [-1, 1]. */
  private static double hann(double x) {
    return Math.abs(x) >= 1 ? 0 : 0.5 + 0.5 * Math.cos(Math.PI * x);
  }
}
