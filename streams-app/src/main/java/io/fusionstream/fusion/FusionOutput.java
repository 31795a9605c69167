package io.fusionstream.fusion;

import io.fusionstream.schema.Modality;
import java.util.Map;

/**
 * The fusion's answer for one window.
 *
 * @param label the arg-max label
 * @param scores probability of every label
 * @param weights weight given to each present modality, summing to 1 over the present ones
 * @param auxLabels the label each present modality's auxiliary head predicts alone
 * @param consistency agreement of the modalities in [0, 1]; 1 with a single modality
 * @param embedding the L2-normalised fused embedding
 */
public record FusionOutput(
    String label,
    Map<String, Float> scores,
    Map<Modality, Float> weights,
    Map<Modality, String> auxLabels,
    float consistency,
    float[] embedding) {}
