package io.fusionstream.fusion;

/**
 * What serving does to a model's raw outputs, fitted on the validation split after training and
 * saved in model.json: the scores are softmax(logits / temperature), and a window with at least
 * two modalities is flagged as disagreeing when its consistency is under the threshold.
 *
 * @param temperature divides the logits before the softmax; 1 leaves the scores as trained
 * @param disagreementThreshold consistency under which the modalities are said to disagree
 */
public record ModelCalibration(double temperature, double disagreementThreshold) {
  /** What a model saved without calibration gets: the raw softmax and the old fixed threshold. */
  public static final ModelCalibration NONE = new ModelCalibration(1.0, 0.5);

  public ModelCalibration {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be positive and finite: " + temperature);
    }
    if (!(disagreementThreshold >= 0 && disagreementThreshold <= 1)) {
      throw new IllegalArgumentException("disagreement threshold must be in [0, 1]: " + disagreementThreshold);
    }
  }

  public ModelCalibration withTemperature(double t) {
    return new ModelCalibration(t, disagreementThreshold);
  }

  public ModelCalibration withDisagreementThreshold(double threshold) {
    return new ModelCalibration(temperature, threshold);
  }
}
