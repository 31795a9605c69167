package io.fusionstream.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;

/**
 * Additive attention: a_i = softmax over present i of w_a . tanh(W v_i + b); u = sum_i a_i v_i. The
 * scorer is shared by all modalities, so a weight depends on the window's content, not only on
 * which modality it is: a noisy frame can score lower than a clean one.
 */
final class AttentionFusion extends StrategyBlock {
  final Parameter w;
  final Parameter b;
  final Parameter wa;

  AttentionFusion(int modalities, int dim, int attentionDim) {
    super(modalities, dim);
    w =
        addParameter(
            Parameter.builder()
                .setName("score_weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(attentionDim, dim))
                .optInitializer(new XavierInitializer())
                .build());
    b =
        addParameter(
            Parameter.builder()
                .setName("score_bias")
                .setType(Parameter.Type.BIAS)
                .optShape(new Shape(attentionDim))
                .optInitializer(Initializer.ZEROS)
                .build());
    wa =
        addParameter(
            Parameter.builder()
                .setName("score_vector")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(attentionDim))
                .optInitializer(new NormalInitializer(0.1f))
                .build());
  }

  @Override
  NDList fuse(ParameterStore store, NDArray projected, NDArray mask, boolean training) {
    // Linear.linear keeps the result in the input's scope, not in the model's manager
    NDArray hidden =
        Linear.linear(
                projected, value(store, w, projected, training), value(store, b, projected, training))
            .singletonOrThrow()
            .tanh(); // (B, M, a)
    NDArray scores = hidden.mul(value(store, wa, projected, training)).sum(new int[] {2});
    NDArray weights = MaskedOps.maskedSoftmax(scores, mask);
    return new NDList(MaskedOps.weightedSum(projected, weights), weights);
  }
}
