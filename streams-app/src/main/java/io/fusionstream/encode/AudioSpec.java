package io.fusionstream.encode;

/**
 * What an audio model listens to: sample rate, spectrogram parameters, and whether the model takes
 * the waveform itself or the log-mel spectrogram.
 *
 * @param sampleRate the model's rate; decoders resample to it
 * @param fftSize samples per STFT frame (a Hann window of this length)
 * @param hop samples between frames
 * @param melBands triangular mel filters
 * @param minHz lowest filter edge
 * @param maxHz highest filter edge, at most sampleRate / 2
 * @param input what the model takes
 */
public record AudioSpec(
    int sampleRate, int fftSize, int hop, int melBands, double minHz, double maxHz, Input input) {

  public enum Input {
    /** [b, samples], zero-padded to the longest chunk of the batch. */
    WAVEFORM,
    /** [b, melBands, frames] log10 mel power. */
    LOG_MEL,
    /** [b, 1, melBands, frames]: the same with a channel axis, for CNN audio towers. */
    LOG_MEL_CHANNEL
  }

  public AudioSpec {
    if (sampleRate <= 0 || fftSize <= 1 || hop <= 0 || melBands <= 0) {
      throw new IllegalArgumentException(
          "rate, fft size, hop and mel bands must be positive: " + this);
    }
    if (minHz < 0 || maxHz <= minHz || maxHz > sampleRate / 2.0) {
      throw new IllegalArgumentException(
          "need 0 <= minHz < maxHz <= sampleRate/2, got " + minHz + ", " + maxHz);
    }
  }

  /** 16 kHz, 25 ms window, 10 ms hop, 64 mel bands from 0 to 8 kHz: speech-friendly defaults. */
  public static AudioSpec defaults() {
    return new AudioSpec(16_000, 400, 160, 64, 0, 8_000, Input.WAVEFORM);
  }
}
