package io.fusionstream.decode;

/** Mono audio as floats in [-1, 1] at {@code sampleRate} samples per second. */
public record DecodedAudio(float[] samples, int sampleRate) {
  public DecodedAudio {
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sample rate must be positive: " + sampleRate);
    }
  }

  public double durationSeconds() {
    return samples.length / (double) sampleRate;
  }
}
