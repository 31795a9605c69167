package io.fusionstream.fusion;

import io.fusionstream.schema.Modality;
import java.util.Map;

/**
 * What the fusion sees of one session window: the pooled embedding of each present modality.
 * Absent modalities are simply not in the map; the fusion masks them.
 */
public record FusionInput(Map<Modality, float[]> pooled) {
  public FusionInput {
    if (pooled.isEmpty()) {
      throw new IllegalArgumentException("a window needs at least one modality");
    }
    pooled = Map.copyOf(pooled);
  }

  public boolean has(Modality m) {
    return pooled.containsKey(m);
  }
}
