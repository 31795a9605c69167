package io.fusionstream.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;

/** The plain average of the present modalities; no parameters. */
final class MeanFusion extends StrategyBlock {
  MeanFusion(int modalities, int dim) {
    super(modalities, dim);
  }

  @Override
  NDList fuse(ParameterStore store, NDArray projected, NDArray mask, boolean training) {
    NDArray weights = MaskedOps.renormalise(mask, mask);
    return new NDList(MaskedOps.weightedSum(projected, weights), weights);
  }
}
