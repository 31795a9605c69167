package io.fusionstream.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;

/**
 * Element-wise maximum over the present modalities. The weight of a modality is the share of the
 * fused dimensions it supplied, which is what the maximum actually took from it.
 */
final class MaxFusion extends StrategyBlock {
  MaxFusion(int modalities, int dim) {
    super(modalities, dim);
  }

  @Override
  NDList fuse(ParameterStore store, NDArray projected, NDArray mask, boolean training) {
    NDArray penalty = mask.sub(1f).mul(-MaskedOps.ABSENT).expandDims(2);
    NDArray masked = projected.add(penalty);
    NDArray fused = masked.max(new int[] {1});
    NDArray winners = masked.argMax(1).oneHot(modalities); // (B, d, M)
    NDArray weights = winners.toType(projected.getDataType(), false).mean(new int[] {1});
    return new NDList(fused, weights);
  }
}
