package io.fusionstream.fusion;

import io.fusionstream.schema.Modality;
import java.util.Map;

/**
 * The fusion's answer for one window.
 *
 * @param label the arg-max label
 * @param scores probability of every label, after the model's temperature scaling
 * @param weights weight given to each present modality, summing to 1 over the present ones
 * @param auxLabels the label each present modality's auxiliary head predicts alone
 * @param consistency agreement of the modalities in [0, 1]; 1 with a single modality
 * @param embedding the L2-normalised fused embedding
 * @param disagree at least two modalities are present and the consistency is under the model's
 *     disagreement threshold
 */
public record FusionOutput(
    String label,
    Map<String, Float> scores,
    Map<Modality, Float> weights,
    Map<Modality, String> auxLabels,
    float consistency,
    float[] embedding,
    boolean disagree) {

  /** An output judged against the default threshold of {@link ModelCalibration#NONE}. */
  public FusionOutput(String label, Map<String, Float> scores, Map<Modality, Float> weights,
      Map<Modality, String> auxLabels, float consistency, float[] embedding) {
    this(label, scores, weights, auxLabels, consistency, embedding,
        disagrees(weights.size(), consistency, ModelCalibration.NONE.disagreementThreshold()));
  }

  /** With a single modality there is nothing to disagree with, whatever the score says. */
  static boolean disagrees(int present, float consistency, double threshold) {
    return present > 1 && consistency < threshold;
  }
}
