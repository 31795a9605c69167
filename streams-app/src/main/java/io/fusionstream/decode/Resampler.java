package io.fusionstream.decode;

/**
 * Band-limited resampling by windowed-sinc interpolation. When downsampling the sinc cutoff drops
 * to the new Nyquist frequency, so content above it is filtered out instead of aliasing into the
 * bands the model listens to (linear interpolation would fold a 12 kHz tone at 44.1 kHz into 4 kHz
 * at 16 kHz).
 *
 * <p>Sample rates are integers, so output sample n sits at input position n * M / L (M/L the rate
 * ratio in lowest terms) and there are only L distinct fractional offsets. Their filter taps are
 * computed once per call; 44.1 kHz to 16 kHz needs 160 tap sets instead of a sin and a cos for every
 * tap of every output sample.
 */
final class Resampler {
  /** Zero crossings of the sinc on each side: quality versus cost. */
  private static final int HALF_ZEROS = 16;

  /** Above this many distinct phases (odd rate pairs) taps are computed per sample instead. */
  private static final int MAX_PHASES = 4096;

  private Resampler() {}

  static float[] resample(float[] in, int fromRate, int toRate) {
    if (fromRate == toRate || in.length == 0) {
      return in;
    }
    int g = gcd(fromRate, toRate);
    int up = toRate / g; // L
    int down = fromRate / g; // M
    double cutoff = Math.min(1.0, toRate / (double) fromRate); // relative to the input Nyquist
    double halfWidth = HALF_ZEROS / cutoff; // in input samples
    int outLength = (int) Math.max(1, Math.round(in.length * (double) up / down));
    float[] out = new float[outLength];
    float[][] table = up <= MAX_PHASES ? taps(up, cutoff, halfWidth) : null;
    int span = (int) Math.ceil(halfWidth);
    for (int n = 0; n < outLength; n++) {
      long position = (long) n * down; // the centre is position / up input samples
      int base = (int) (position / up);
      int phase = (int) (position % up);
      float[] weights = table != null ? table[phase] : taps(phase / (double) up, cutoff, halfWidth, span);
      double sum = 0;
      for (int j = 0; j < weights.length; j++) {
        int k = base - span + j;
        if (k >= 0 && k < in.length) {
          sum += in[k] * weights[j];
        }
      }
      out[n] = (float) sum;
    }
    return out;
  }

  private static float[][] taps(int phases, double cutoff, double halfWidth) {
    int span = (int) Math.ceil(halfWidth);
    float[][] table = new float[phases][];
    for (int p = 0; p < phases; p++) {
      table[p] = taps(p / (double) phases, cutoff, halfWidth, span);
    }
    return table;
  }

  /** Weights of input samples base - span .. base + span + 1 for a centre at base + fraction. */
  private static float[] taps(double fraction, double cutoff, double halfWidth, int span) {
    float[] w = new float[2 * span + 2];
    for (int j = 0; j < w.length; j++) {
      double t = (j - span) - fraction;
      w[j] = (float) (cutoff * sinc(cutoff * t) * hann(t / halfWidth));
    }
    return w;
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
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
