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
   * Cross-modal consistency of (B, M, L) auxiliary probabilities: the mean, over pairs of present
   * modalities, of the overlap sum_l min(p_i(l), p_j(l)) of their distributions (1 = identical, 0
   * = disjoint). A window with a single modality has no pair and gets 1.
   */
  static NDArray consistency(NDArray auxProbs, NDArray mask) {
    int modalities = (int) mask.getShape().get(1);
    NDArray agreement = mask.get(":, 0").zerosLike();
    NDArray pairs = mask.get(":, 0").zerosLike();
    for (int i = 0; i < modalities; i++) {
      for (int j = i + 1; j < modalities; j++) {
        NDArray pi = auxProbs.get(":, " + i + ", :");
        NDArray pj = auxProbs.get(":, " + j + ", :");
        NDArray both = mask.get(":, " + i).mul(mask.get(":, " + j));
        agreement = agreement.add(pi.minimum(pj).sum(new int[] {1}).mul(both));
        pairs = pairs.add(both);
      }
    }
    NDArray none = pairs.eq(0f).toType(pairs.getDataType(), false);
    return agreement.add(none).div(pairs.add(none));
  }

  static List<FusionOutput> decode(NDList out, List<String> labels) {
    NDArray mask = out.get(FusionBlock.MASK);
    NDArray auxProbs = out.get(FusionBlock.AUX_LOGITS).softmax(2);
    float[] probs = out.get(FusionBlock.LOGITS).softmax(1).toFloatArray();
    float[] weights = out.get(FusionBlock.WEIGHTS).toFloatArray();
    float[] aux = auxProbs.toFloatArray();
    float[] present = mask.toFloatArray();
    float[] consistency = consistency(auxProbs, mask).toFloatArray();
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
              Arrays.copyOfRange(embedding, row * e, (row + 1) * e)));
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
