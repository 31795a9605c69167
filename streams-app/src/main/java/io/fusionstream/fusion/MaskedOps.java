package io.fusionstream.fusion;

import ai.djl.ndarray.NDArray;

/**
 * Tensor helpers shared by the fusion strategies. A mask is a float array of shape (B, M) holding
 * 1 for a present modality and 0 for an absent one; every window has at least one present.
 */
final class MaskedOps {
  /** Added to the scores of absent modalities so that softmax gives them exactly zero. */
  static final float ABSENT = -1e9f;

  private MaskedOps() {}

  /** Softmax over axis 1 of (B, M) scores, restricted to the present modalities. */
  static NDArray maskedSoftmax(NDArray scores, NDArray mask) {
    NDArray shifted = scores.add(mask.sub(1f).mul(-ABSENT));
    return shifted.softmax(1).mul(mask);
  }

  /** Scales non-negative (B, M) values so they sum to 1 over the present modalities. */
  static NDArray renormalise(NDArray values, NDArray mask) {
    NDArray masked = values.mul(mask);
    return masked.div(masked.sum(new int[] {1}, true));
  }

  /** sum_i w_i v_i of (B, M, d) vectors with (B, M) weights: (B, d). */
  static NDArray weightedSum(NDArray projected, NDArray weights) {
    return projected.mul(weights.expandDims(2)).sum(new int[] {1});
  }
}
