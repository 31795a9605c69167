package io.fusionstream.decode;

/**
 * Band-limited resampling by windowed-sinc interpolation. When downsampling the sinc cutoff drops
 * to the new Nyquist frequency, so content above it is filtered out instead of aliasing into the
 * bands the model listens to (linear interpolation would fold a 12 kHz tone at 44.1 kHz into 4 kHz
 * at 16 kHz).
 *
 * <p>Sample rates are integers, so output sample n sits at input position n * M / L (M/L the rate
 * ratio in lowest terms) and there are only L distinct fractional offsets. Their filter taps are
 * computed once per call when that table pays off and stays small; 44.1 kHz to 16 kHz needs 160 tap
 * sets instead of a sin and a cos for every tap of every output sample.
 *
 * <p>Memory follows the input, never the rates: the kernel is cut to the input's length (taps
 * further out never touch a sample), and the table is built only when phases x kernel stays within
 * {@link #TABLE_FACTOR} x (input + output length); otherwise each output sample computes its taps
 * into one reused buffer. A chunk declaring 767996 Hz for a 16 kHz model (4000 phases of a
 * 1538-tap kernel: a 25 MB table, 64 GB at 2000000012 Hz) therefore costs a few times the chunk.
 */
final class Resampler {
  /** Zero crossings of the sinc on each side: quality versus cost. */
  private static final int HALF_ZEROS = 16;

  /** The tap table may hold at most this many floats per input plus output sample. */
  static final int TABLE_FACTOR = 4;

  private Resampler() {}

  /** What one call will compute and hold, from the lengths and rates alone. */
  private record Plan(int up, int down, double cutoff, double halfWidth, int span, int outLength,
      boolean tabled) {

    static Plan of(int inLength, int fromRate, int toRate) {
      int g = gcd(fromRate, toRate);
      int up = toRate / g; // L
      int down = fromRate / g; // M
      double cutoff = Math.min(1.0, toRate / (double) fromRate); // relative to the input Nyquist
      double halfWidth = HALF_ZEROS / cutoff; // in input samples
      // The centre of every output sample lies in [0, inLength], so taps further than inLength + 1
      // from it index outside the input.
      int span = (int) Math.min(Math.ceil(halfWidth), inLength + 1L);
      int outLength = (int) Math.max(1, Math.round(inLength * (double) up / down));
      long tableFloats = (long) up * width(span);
      boolean tabled = tableFloats <= TABLE_FACTOR * ((long) inLength + outLength);
      return new Plan(up, down, cutoff, halfWidth, span, outLength, tabled);
    }

    long tapFloats() {
      return tabled ? (long) up * width(span) : width(span);
    }
  }

  static float[] resample(float[] in, int fromRate, int toRate) {
    if (fromRate == toRate || in.length == 0) {
      return in;
    }
    Plan plan = Plan.of(in.length, fromRate, toRate);
    int up = plan.up();
    int down = plan.down();
    int span = plan.span();
    float[] out = new float[plan.outLength()];
    float[][] table = plan.tabled() ? taps(plan) : null;
    float[] scratch = table == null ? new float[width(span)] : null;
    for (int n = 0; n < out.length; n++) {
      long position = (long) n * down; // the centre is position / up input samples
      int base = (int) (position / up);
      int phase = (int) (position % up);
      float[] weights;
      if (table != null) {
        weights = table[phase];
      } else {
        weights = scratch;
        taps(phase / (double) up, plan.cutoff(), plan.halfWidth(), span, weights);
      }
      int first = Math.max(0, span - base);
      int last = Math.min(weights.length, in.length - base + span);
      double sum = 0;
      for (int j = first; j < last; j++) {
        sum += in[base - span + j] * weights[j];
      }
      out[n] = (float) sum;
    }
    return out;
  }

  /** Floats of filter taps one call holds for these lengths and rates: for tests of the bound. */
  static long tapFloats(int inLength, int fromRate, int toRate) {
    return Plan.of(inLength, fromRate, toRate).tapFloats();
  }

  private static float[][] taps(Plan plan) {
    float[][] table = new float[plan.up()][];
    for (int p = 0; p < table.length; p++) {
      table[p] = new float[width(plan.span())];
      taps(p / (double) plan.up(), plan.cutoff(), plan.halfWidth(), plan.span(), table[p]);
    }
    return table;
  }

  /** Weights of input samples base - span .. base + span + 1 for a centre at base + fraction. */
  private static void taps(double fraction, double cutoff, double halfWidth, int span, float[] w) {
    for (int j = 0; j < w.length; j++) {
      double t = (j - span) - fraction;
      w[j] = (float) (cutoff * sinc(cutoff * t) * hann(t / halfWidth));
    }
  }

  private static int width(int span) {
    return 2 * span + 2;
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
