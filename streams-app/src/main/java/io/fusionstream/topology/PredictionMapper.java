package io.fusionstream.topology;

import io.fusionstream.fusion.FusionOutput;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.Modality;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns a fused window into the output record; per-modality maps are keyed by lower-case name. */
final class PredictionMapper {
  private final boolean includeEmbedding;

  PredictionMapper(boolean includeEmbedding) {
    this.includeEmbedding = includeEmbedding;
  }

  FusedPrediction map(ClosedWindow window, FusionOutput out, String modelVersion, long emittedAtMs) {
    List<Modality> present = new ArrayList<>(window.modalities().keySet());
    Map<String, Integer> counts = new HashMap<>();
    window.modalities().forEach((m, p) -> counts.put(key(m), p.count()));
    Map<String, Float> weights = new HashMap<>();
    out.weights().forEach((m, w) -> weights.put(key(m), w));
    Map<String, String> aux = new HashMap<>();
    out.auxLabels().forEach((m, l) -> aux.put(key(m), l));
    List<Float> embedding = null;
    if (includeEmbedding && out.embedding() != null) {
      embedding = new ArrayList<>(out.embedding().length);
      for (float f : out.embedding()) {
        embedding.add(f);
      }
    }
    return FusedPrediction.newBuilder()
        .setSessionId(window.sessionId())
        .setWindowStart(Instant.ofEpochMilli(window.start()))
        .setWindowEnd(Instant.ofEpochMilli(window.end()))
        .setLabel(out.label())
        .setScores(new HashMap<>(out.scores()))
        .setModalitiesPresent(present)
        .setModalityWeights(weights)
        .setModalityEventCounts(counts)
        .setModalityAuxLabels(aux)
        .setConsistency(out.consistency())
        .setEmbedding(embedding)
        .setModelVersion(modelVersion)
        .setEmittedAt(Instant.ofEpochMilli(emittedAtMs))
        .build();
  }

  private static String key(Modality m) {
    return m.name().toLowerCase(Locale.ROOT);
  }
}
