package io.fusionstream.fusion;

import io.fusionstream.schema.Modality;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to rebuild the block before loading its parameters.
 *
 * @param inputDims length of each modality's encoder vector
 * @param sharedDim the shared dimension d every modality is projected into
 * @param attentionDim hidden size of the attention scorer
 * @param hiddenDim hidden size of the classification head
 * @param dropout dropout rate on the projected vectors during training
 */
public record FusionArchitecture(
    FusionStrategy strategy,
    List<String> labels,
    Map<Modality, Integer> inputDims,
    int sharedDim,
    int attentionDim,
    int hiddenDim,
    float dropout) {

  /** Modalities in tensor order: the M axis of every (B, M, ...) array follows this list. */
  public static final List<Modality> ORDER = List.of(Modality.values());

  public FusionArchitecture {
    labels = List.copyOf(labels);
    if (labels.size() < 2) {
      throw new IllegalArgumentException("a classifier needs at least two labels: " + labels);
    }
    Map<Modality, Integer> dims = new EnumMap<>(Modality.class);
    dims.putAll(inputDims);
    for (Modality m : ORDER) {
      if (dims.getOrDefault(m, 0) <= 0) {
        throw new IllegalArgumentException("missing input dimension for " + m + ": " + inputDims);
      }
    }
    inputDims = Map.copyOf(dims);
  }

  public static FusionArchitecture withDefaults(
      FusionStrategy strategy, List<String> labels, Map<Modality, Integer> inputDims) {
    return new FusionArchitecture(strategy, labels, inputDims, 32, 16, 32, 0.1f);
  }

  int inputDim(Modality m) {
    return inputDims.get(m);
  }
}
