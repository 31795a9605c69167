package io.fusionstream.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;

/**
 * Each modality has its own sigmoid gate g_i = sigmoid(g_w[i] . v_i + g_b[i]), computed from its
 * own vector only (unlike attention, whose scorer is shared and whose scores compete). The gates
 * of the present modalities are then renormalised to sum to 1, so the fused vector keeps its
 * scale whatever is missing.
 */
final class GatedFusion extends StrategyBlock {
  final Parameter gateWeight;
  final Parameter gateBias;

  GatedFusion(int modalities, int dim) {
    super(modalities, dim);
    gateWeight =
        addParameter(
            Parameter.builder()
                .setName("gate_weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(modalities, dim))
                .optInitializer(new XavierInitializer())
                .build());
    gateBias =
        addParameter(
            Parameter.builder()
                .setName("gate_bias")
                .setType(Parameter.Type.BIAS)
                .optShape(new Shape(modalities))
                .optInitializer(Initializer.ZEROS)
                .build());
  }

  @Override
  NDList fuse(ParameterStore store, NDArray projected, NDArray mask, boolean training) {
    NDArray logits =
        projected
            .mul(value(store, gateWeight, projected, training)) // (B, M, d) * (M, d)
            .sum(new int[] {2})
            .add(value(store, gateBias, projected, training));
    NDArray weights = MaskedOps.renormalise(Activation.sigmoid(logits), mask);
    return new NDList(MaskedOps.weightedSum(projected, weights), weights);
  }
}
