package io.fusionstream.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.fusionstream.schema.Modality;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns the block's output tensors into one {@link FusionOutput} per window. */
final class FusionOutputs {
  private FusionOutputs() {}

  /**
   * Cross-modal consistency of (B, M, L) auxiliary logits: how compatible the present modalities'
   * own predictions are with one common label. With p_i the distribution of modality i's auxiliary
   * head and n present modalities, Z = L^(n-1) sum_l prod_i p_i(l) is how much likelier the
   * evidence is if all modalities describe the same label than if they were unrelated (uniform
   * label prior); the consistency is min(1, Z). A single modality gives Z = 1. Unlike an average
   * of pairwise overlaps, this catches evidence that is pairwise compatible but jointly
   * impossible (positive-or-neutral words, a negative-or-neutral face and an aroused voice), and a
   * modality that says nothing (a flat distribution) neither raises nor lowers it.
   */
  static NDArray consistency(NDArray auxLogits, NDArray mask) {
    long labels = auxLogits.getShape().get(2);
    NDArray joint = auxLogits.logSoftmax(2).mul(mask.expandDims(2)).sum(new int[] {1}); // (B, L)
    NDArray max = joint.max(new int[] {1}, true);
    NDArray logSum = joint.sub(max).exp().sum(new int[] {1}).log().add(max.squeeze(1));
    NDArray present = mask.sum(new int[] {1});
    NDArray logZ = logSum.add(present.sub(1f).mul((float) Math.log(labels)));
    // Z is exactly 1 for one modality; rounding would make it 0.99999994, a "disagreement" at 1
    NDArray single = present.lte(1f).toType(logZ.getDataType(), false);
    return logZ.exp().minimum(1f).maximum(single);
  }

  static List<FusionOutput> decode(NDList out, List<String> labels, ModelCalibration calibration) {
    NDArray mask = out.get(FusionBlock.MASK);
    NDArray auxProbs = out.get(FusionBlock.AUX_LOGITS).softmax(2);
    float[] probs =
        out.get(FusionBlock.LOGITS).div((float) calibration.temperature()).softmax(1).toFloatArray();
    float[] weights = out.get(FusionBlock.WEIGHTS).toFloatArray();
    float[] aux = auxProbs.toFloatArray();
    float[] present = mask.toFloatArray();
    float[] consistency = consistency(out.get(FusionBlock.AUX_LOGITS), mask).toFloatArray();
    NDArray fused = out.get(FusionBlock.FUSED);
    NDArray norms = fused.norm(new int[] {1}, true).maximum(1e-12f);
    float[] embedding = fused.div(norms).toFloatArray();

    int b = (int) mask.getShape().get(0);
    int m = FusionArchitecture.ORDER.size();
    int l = labels.size();
    int e = (int) fused.getShape().get(1);
    List<FusionOutput> outputs = new ArrayList<>(b);
    for (int row = 0; row < b; row++) {
      Map<String, Float> scores = new LinkedHashMap<>();
      for (int k = 0; k < l; k++) {
        scores.put(labels.get(k), probs[row * l + k]);
      }
      Map<Modality, Float> modalityWeights = new EnumMap<>(Modality.class);
      Map<Modality, String> auxLabels = new EnumMap<>(Modality.class);
      for (int mi = 0; mi < m; mi++) {
        if (present[row * m + mi] == 0f) {
          continue;
        }
        Modality modality = FusionArchitecture.ORDER.get(mi);
        modalityWeights.put(modality, weights[row * m + mi]);
        auxLabels.put(modality, labels.get(argMax(aux, (row * m + mi) * l, l)));
      }
      outputs.add(
          new FusionOutput(
              labels.get(argMax(probs, row * l, l)),
              scores,
              modalityWeights,
              auxLabels,
              consistency[row],
              Arrays.copyOfRange(embedding, row * e, (row + 1) * e),
              FusionOutput.disagrees(modalityWeights.size(), consistency[row],
                  calibration.disagreementThreshold())));
    }
    return outputs;
  }

  static int argMax(float[] values, int offset, int length) {
    int best = 0;
    for (int k = 1; k < length; k++) {
      if (values[offset + k] > values[offset + best]) {
        best = k;
      }
    }
    return best;
  }
}
