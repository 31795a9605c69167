package io.fusionstream.fusion;

import io.fusionstream.schema.Modality;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** One training or test example: a session window's pooled vectors and its label index. */
public record LabeledWindow(String sessionId, int label, FusionInput input) {

  /** This window seen with only {@code keep} modalities; empty if none of them is present. */
  public Optional<LabeledWindow> restrictedTo(Set<Modality> keep) {
    Map<Modality, float[]> kept = new EnumMap<>(Modality.class);
    input.pooled().forEach((m, v) -> {
      if (keep.contains(m)) {
        kept.put(m, v);
      }
    });
    if (kept.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new LabeledWindow(sessionId, label, new FusionInput(kept)));
  }
}
