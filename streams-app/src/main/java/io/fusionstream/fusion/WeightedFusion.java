package io.fusionstream.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;

/**
 * One learned logit per modality, the same for every window; the weights are their softmax over
 * the present modalities, so dropping a modality hands its share to the others in proportion.
 */
final class WeightedFusion extends StrategyBlock {
  final Parameter logits;

  WeightedFusion(int modalities, int dim) {
    super(modalities, dim);
    logits =
        addParameter(
            Parameter.builder()
                .setName("modality_logits")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(modalities))
                .optInitializer(Initializer.ZEROS)
                .build());
  }

  @Override
  NDList fuse(ParameterStore store, NDArray projected, NDArray mask, boolean training) {
    NDArray w = value(store, logits, projected, training);
    // broadcasting from the mask side keeps every temporary in the caller's scope
    NDArray scores = mask.zerosLike().add(w);
    NDArray weights = MaskedOps.maskedSoftmax(scores, mask);
    return new NDList(MaskedOps.weightedSum(projected, weights), weights);
  }
}
