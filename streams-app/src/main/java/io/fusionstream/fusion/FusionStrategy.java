package io.fusionstream.fusion;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the projected modality vectors become one vector; chosen by config or {@code --strategy}. */
public enum FusionStrategy {
  CONCAT,
  MEAN,
  WEIGHTED,
  MAX,
  ATTENTION,
  GATED;

  /** The name used in config, on the command line and in model.json. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static FusionStrategy parse(String text) {
    for (FusionStrategy s : values()) {
      if (s.id().equalsIgnoreCase(text.trim())) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown fusion strategy '"
            + text
            + "', expected one of "
            + Arrays.stream(values()).map(FusionStrategy::id).collect(Collectors.joining(", ")));
  }

  StrategyBlock newBlock(int modalities, int dim, int attentionDim) {
    return switch (this) {
      case CONCAT -> new ConcatFusion(modalities, dim);
      case MEAN -> new MeanFusion(modalities, dim);
      case WEIGHTED -> new WeightedFusion(modalities, dim);
      case MAX -> new MaxFusion(modalities, dim);
      case ATTENTION -> new AttentionFusion(modalities, dim, attentionDim);
      case GATED -> new GatedFusion(modalities, dim);
    };
  }
}
