package io.fusionstream.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MelFilterbankTest {
  private final AudioSpec spec = AudioSpec.defaults();

  @Test
  void htkMelScaleHasItsKnownValues() {
    // The HTK scale is built so that 1000 Hz is 1000 mel; 700 Hz is 2595 * log10(2).
    assertThat(MelFilterbank.hzToMel(1000)).isCloseTo(1000.0, within(0.1));
    assertThat(MelFilterbank.hzToMel(700)).isCloseTo(781.17, within(0.01));
    assertThat(MelFilterbank.melToHz(MelFilterbank.hzToMel(4321))).isCloseTo(4321, within(1e-6));
  }

  @Test
  void edgesSpanTheConfiguredRangeEvenlyInMel() {
    double[] edges = MelFilterbank.edgesHz(spec);
    assertThat(edges).hasSize(66);
    assertThat(edges[0]).isCloseTo(0, within(1e-9));
    assertThat(edges[65]).isCloseTo(8000, within(1e-6));
    double step = MelFilterbank.hzToMel(8000) / 65;
    for (int i = 1; i < edges.length; i++) {
      assertThat(MelFilterbank.hzToMel(edges[i]) - MelFilterbank.hzToMel(edges[i - 1]))
          .isCloseTo(step, within(1e-6));
    }
  }

  @Test
  void eachFilterIsATrianglePeakingAtItsCentre() {
    float[][] w = MelFilterbank.weights(spec);
    double[] centres = MelFilterbank.centresHz(spec);
    double binHz = spec.sampleRate() / (double) spec.fftSize(); // 40 Hz
    assertThat(w).hasNumberOfRows(64);
    assertThat(w[0]).hasSize(201);
    for (int m = 0; m < w.length; m++) {
      int peak = 0;
      for (int k = 0; k < w[m].length; k++) {
        assertThat(w[m][k]).isBetween(0f, 1f);
        if (w[m][k] > w[m][peak]) {
          peak = k;
        }
      }
      // Bins are 40 Hz apart and the triangles asymmetric: the best bin is within one bin.
      assertThat(Math.abs(peak * binHz - centres[m])).isLessThanOrEqualTo(binHz);
      assertThat(w[m][peak]).as("filter %d is not empty", m).isGreaterThan(0.3f);
    }
    // A bin exactly between two centres on the rising/falling slopes sums to one.
    double mid = centres[40];
    int bin = (int) Math.round(mid / binHz);
    assertThat(w[39][bin] + w[40][bin] + w[41][bin]).isCloseTo(1f, within(1e-4f));
  }
}
