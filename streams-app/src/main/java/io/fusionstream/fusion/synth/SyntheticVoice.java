package io.fusionstream.fusion.synth;

import java.util.Random;

/**
 * A voiced sound whose arousal shows in loudness, syllable rate and how much the pitch moves: a
 * calm voice is quiet and flat, an aroused one loud, fast and lively. Valence is not in it. Some
 * background noise always; a degraded chunk is drowned in loud noise.
 */
final class SyntheticVoice {
  static final int SAMPLE_RATE = 16_000;
  static final double SECONDS = 1.0;

  private SyntheticVoice() {}

  static float[] speak(Affect affect, boolean degraded, Random random) {
    double a = affect.arousal();
    int n = (int) (SAMPLE_RATE * SECONDS);
    double f0 = 100 + random.nextDouble() * 120;
    double depth = 0.03 + 0.4 * a + random.nextGaussian() * 0.03;
    double contourHz = 1.0 + 3.0 * a + random.nextDouble();
    double syllablesHz = 2.0 + 5.0 * a + random.nextDouble();
    double loudness = 0.12 + 0.6 * a + random.nextGaussian() * 0.04;
    double noise = degraded ? 0.25 + random.nextDouble() * 0.35 : 0.01 + random.nextDouble() * 0.04;
    double phase = 0;
    double contourPhase = random.nextDouble() * 2 * Math.PI;
    float[] samples = new float[n];
    for (int i = 0; i < n; i++) {
      double t = i / (double) SAMPLE_RATE;
      double pitch = f0 * (1 + depth * Math.sin(2 * Math.PI * contourHz * t + contourPhase));
      phase += 2 * Math.PI * pitch / SAMPLE_RATE;
      double voiced = Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase);
      double envelope = 0.5 * (1 - Math.cos(2 * Math.PI * syllablesHz * t));
      samples[i] = (float) (loudness * envelope * voiced / 1.75 + noise * random.nextGaussian());
    }
    return samples;
  }

  /** Noise only: a broken microphone. */
  static float[] noise(Random random) {
    float[] samples = new float[(int) (SAMPLE_RATE * SECONDS)];
    double level = 0.2 + random.nextDouble() * 0.3;
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (float) (level * random.nextGaussian());
    }
    return samples;
  }
}
