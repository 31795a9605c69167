package io.fusionstream.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;

/**
 * Cross-entropy of the fused prediction plus, weighted by {@code auxWeight}, the mean
 * cross-entropy of each present modality's auxiliary classifier, plus, weighted by {@code
 * trustWeight}, a pull of the fusion weights towards the modalities that are right (see {@link
 * #trust}). The auxiliary term trains the
 * per-modality heads that the consistency score is computed from, and keeps every projection
 * informative on its own, which is what lets the model cope when the others are missing.
 */
final class FusionLoss extends Loss {
  private final SoftmaxCrossEntropyLoss main = new SoftmaxCrossEntropyLoss("fused");
  private final float auxWeight;
  private final float trustWeight;

  FusionLoss(float auxWeight, float trustWeight) {
    super("fusion_loss");
    this.auxWeight = auxWeight;
    this.trustWeight = trustWeight;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray label = labels.singletonOrThrow();
    NDArray fused = main.evaluate(labels, new NDList(predictions.get(FusionBlock.LOGITS)));
    if (auxWeight == 0f) {
      return fused;
    }
    NDArray auxLogits = predictions.get(FusionBlock.AUX_LOGITS); // (B, M, L)
    NDArray mask = predictions.get(FusionBlock.MASK);
    long labelCount = auxLogits.getShape().get(2);
    NDArray oneHot =
        label.toType(DataType.INT64, false).oneHot((int) labelCount).toType(DataType.FLOAT32, false);
    NDArray nll = auxLogits.logSoftmax(2).mul(oneHot.expandDims(1)).sum(new int[] {2}).neg();
    NDArray aux = nll.mul(mask).sum().div(mask.sum());
    NDArray loss = fused.add(aux.mul(auxWeight));
    if (trustWeight == 0f) {
      return loss;
    }
    return loss.add(trust(nll, predictions.get(FusionBlock.WEIGHTS), mask).mul(trustWeight));
  }

  /**
   * KL(t || w) between the fusion weights w and a target t that trusts each present modality as
   * much as its own auxiliary head believes the true label: t = softmax over present of log p_i(y).
   * The target is a constant (no gradient into the heads through it). Without this term nothing
   * tells a content-dependent scorer (attention, gated) that a noisy modality deserves less weight;
   * strategies whose weights are fixed or not learned get no gradient from it.
   */
  private static NDArray trust(NDArray nll, NDArray weights, NDArray mask) {
    NDArray target = MaskedOps.maskedSoftmax(nll.neg().stopGradient(), mask);
    NDArray ratio = target.add(1e-8f).log().sub(weights.add(1e-8f).log());
    return target.mul(ratio).mul(mask).sum(new int[] {1}).mean();
  }
}
