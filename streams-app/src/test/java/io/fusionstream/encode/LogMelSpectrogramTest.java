package io.fusionstream.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class LogMelSpectrogramTest {
  private final AudioSpec spec = AudioSpec.defaults(); // 16 kHz, N = 400, hop 160, 64 bands

  @Test
  void aBinCentredToneHasTheTextbookHannPower() {
    // 1000 Hz is exactly bin 25 (1000 * 400 / 16000). With a periodic Hann window (sum N/2), a unit
    // sine gives |X[25]| = N/4 = 100, power 10^4, and the neighbouring bins a quarter of that.
    float[] tone = sine(1000, 1.0, 16_000);
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      NDArray wave = manager.create(tone, new Shape(1, tone.length));
      NDArray power = wave.stft(spec.fftSize(), spec.hop(), true, manager.hanningWindow(spec.fftSize()),
          false, true).abs().square();
      float[] frame = power.get("0, :, 50").toFloatArray(); // a frame in the middle
      assertThat(frame[25]).isCloseTo(10_000f, within(50f));
      assertThat(frame[24]).isCloseTo(2_500f, within(25f));
      assertThat(frame[26]).isCloseTo(2_500f, within(25f));
      assertThat(frame[10]).isLessThan(1f);

      // Each mel band is the filter-weighted sum of those powers, then log10.
      NDArray mel = new LogMelSpectrogram(spec).compute(wave);
      assertThat(mel.getShape()).isEqualTo(new Shape(1, 64, 101)); // 16000 / 160 + 1 frames
      float[][] w = MelFilterbank.weights(spec);
      float[] melFrame = mel.get("0, :, 50").toFloatArray();
      for (int m = 0; m < 64; m++) {
        double expected = 0;
        for (int k = 0; k < frame.length; k++) {
          expected += w[m][k] * frame[k];
        }
        assertThat(melFrame[m]).as("band %d", m)
            .isCloseTo((float) Math.log10(Math.max(expected, LogMelSpectrogram.FLOOR)), within(1e-3f));
      }
    }
  }

  @Test
  void silenceIsTheFloorEverywhere() {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      NDArray mel = new LogMelSpectrogram(spec).compute(manager.zeros(new Shape(2, 8000)));
      assertThat(mel.max().getFloat()).isEqualTo(-10f);
      assertThat(mel.min().getFloat()).isEqualTo(-10f);
    }
  }

  private static float[] sine(double hz, double amplitude, int samples) {
    float[] s = new float[samples];
    for (int i = 0; i < samples; i++) {
      s[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / 16_000));
    }
    return s;
  }
}
