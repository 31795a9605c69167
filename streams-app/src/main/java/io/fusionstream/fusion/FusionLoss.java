package io.fusionstream.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;

/**
 * Cross-entropy of the fused prediction plus, weighted by {@code auxWeight}, the mean
 * cross-entropy of each present modality's auxiliary classifier. The auxiliary term trains the
 * per-modality heads that the consistency score is computed from, and keeps every projection
 * informative on its own, which is what lets the model cope when the others are missing.
 */
final class FusionLoss extends Loss {
  private final SoftmaxCrossEntropyLoss main = new SoftmaxCrossEntropyLoss("fused");
  private final float auxWeight;

  FusionLoss(float auxWeight) {
    super("fusion_loss");
    this.auxWeight = auxWeight;
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
    return fused.add(aux.mul(auxWeight));
  }
}
