package io.fusionstream.encode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Log-mel spectrogram with NDArray operations: a centred Hann-window STFT, power, mel filterbank,
 * {@code log10(max(power, FLOOR))}. Needs an engine with {@code stft} (PyTorch); ONNX Runtime's
 * NDArray has no such operation, so callers with an ONNX model compute it on a PyTorch manager.
 */
final class LogMelSpectrogram {
  /** Power floor: silence reads log10(1e-10) = -10 in every band. */
  static final float FLOOR = 1e-10f;

  private final AudioSpec spec;
  private final float[] filterbank;

  LogMelSpectrogram(AudioSpec spec) {
    this.spec = spec;
    float[][] weights = MelFilterbank.weights(spec);
    int bins = weights[0].length;
    this.filterbank = new float[weights.length * bins];
    for (int m = 0; m < weights.length; m++) {
      System.arraycopy(weights[m], 0, filterbank, m * bins, bins);
    }
  }

  /** Frames the STFT yields for {@code samples} samples (centred: one per hop, plus one). */
  int frames(long samples) {
    return (int) (samples / spec.hop()) + 1;
  }

  /**
   * @param waveform [b, samples] with samples >= fftSize / 2 + 1 (reflect padding needs it)
   * @return [b, melBands, frames]
   */
  NDArray compute(NDArray waveform) {
    NDManager manager = waveform.getManager();
    NDArray window = manager.hanningWindow(spec.fftSize());
    NDArray power = waveform.stft(spec.fftSize(), spec.hop(), true, window, false, true).abs().square();
    NDArray mel =
        manager
            .create(filterbank, new ai.djl.ndarray.types.Shape(spec.melBands(), spec.fftSize() / 2 + 1))
            .matMul(power);
    return mel.maximum(FLOOR).log10();
  }
}
