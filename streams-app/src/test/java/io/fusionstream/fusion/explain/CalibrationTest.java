package io.fusionstream.fusion.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CalibrationTest {
  @Test
  void eceIsTheCountWeightedGapBetweenAccuracyAndConfidencePerBin() {
    // bin [0.9, 1.0]: confidences 0.95, 0.95, right 1 of 2 -> gap 0.45, weight 2/5
    // bin [0.6, 0.7): 0.65 x3, right 2 of 3 -> gap |0.667 - 0.65| = 0.01667, weight 3/5
    double[] confidence = {0.95, 0.95, 0.65, 0.65, 0.65};
    boolean[] correct = {true, false, true, true, false};
    double expected = 2 / 5.0 * 0.45 + 3 / 5.0 * Math.abs(2 / 3.0 - 0.65);
    assertThat(Calibration.ece(confidence, correct, 10)).isCloseTo(expected, within(1e-12));
    assertThat(Calibration.ece(new double[] {1.0}, new boolean[] {true}, 10)).as("1.0 in the last bin").isZero();
    assertThat(Calibration.ece(new double[] {0.7, 0.7}, new boolean[] {true, false}, 1))
        .isCloseTo(0.2, within(1e-12));
  }

  @Test
  void scalingIsSoftmaxOfLogProbabilitiesOverTheTemperature() {
    double[] p = {0.7, 0.2, 0.1};
    assertThat(Calibration.scale(p, 1)).containsExactly(new double[] {0.7, 0.2, 0.1}, within(1e-12));
    double[] hot = Calibration.scale(p, 2);
    double z = Math.sqrt(0.7) + Math.sqrt(0.2) + Math.sqrt(0.1);
    assertThat(hot).containsExactly(new double[] {Math.sqrt(0.7) / z, Math.sqrt(0.2) / z, Math.sqrt(0.1) / z},
        within(1e-12));
    assertThat(Calibration.scale(Calibration.scale(p, 2), 0.5)).as("undone by 1/T")
        .containsExactly(p, within(1e-12));
  }

  @Test
  void fittedTemperatureUndoesAKnownOverconfidence() {
    // labels drawn from softmax(z); the model reports softmax(3 z): the fit should find T near 3
    Random random = new Random(5);
    List<double[]> reported = new ArrayList<>();
    int[] labels = new int[4000];
    for (int i = 0; i < labels.length; i++) {
      double[] z = {random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
      double[] truth = softmax(z, 1);
      double u = random.nextDouble();
      labels[i] = u < truth[0] ? 0 : u < truth[0] + truth[1] ? 1 : 2;
      reported.add(softmax(z, 3));
    }
    double t = Calibration.fitTemperature(reported, labels);
    assertThat(t).isBetween(2.5, 3.5);
    assertThat(Calibration.nll(reported, labels, t)).isLessThan(Calibration.nll(reported, labels, 1));
  }

  private static double[] softmax(double[] z, double scale) {
    double[] out = new double[z.length];
    double sum = 0;
    for (int i = 0; i < z.length; i++) {
      out[i] = Math.exp(scale * z[i]);
      sum += out[i];
    }
    for (int i = 0; i < z.length; i++) {
      out[i] /= sum;
    }
    return out;
  }
}
