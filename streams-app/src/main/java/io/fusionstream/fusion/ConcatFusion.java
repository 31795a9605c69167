package io.fusionstream.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;

/**
 * Concatenates the projected vectors, absent ones zero-filled, followed by the mask itself so the
 * head can tell a zero vector from a missing modality. There are no fusion weights in the
 * arithmetic; the reported weights are uniform over the present modalities.
 */
final class ConcatFusion extends StrategyBlock {
  ConcatFusion(int modalities, int dim) {
    super(modalities, dim);
  }

  @Override
  int fusedDim() {
    return modalities * dim + modalities;
  }

  @Override
  NDList fuse(ParameterStore store, NDArray projected, NDArray mask, boolean training) {
    NDArray zeroed = projected.mul(mask.expandDims(2));
    long batch = projected.getShape().get(0);
    NDArray fused = zeroed.reshape(batch, (long) modalities * dim).concat(mask, 1);
    return new NDList(fused, MaskedOps.renormalise(mask, mask));
  }
}
