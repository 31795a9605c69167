package io.fusionstream.monitor;

import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.Modality;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds FusedPrediction records the way the pipeline writes them, for monitor tests. */
final class TestPredictions {

  private TestPredictions() {}

  /**
   * A prediction whose label gets {@code topScore} and the other labels share the rest; weights
   * are spread evenly over the present modalities unless given.
   */
  static FusedPrediction prediction(String session, long windowStartMillis, String label, List<String> labels,
      float topScore, float consistency, Map<Modality, Float> weights) {
    Map<String, Float> scores = new LinkedHashMap<>();
    float rest = labels.size() > 1 ? (1f - topScore) / (labels.size() - 1) : 0f;
    for (String l : labels) {
      scores.put(l, l.equals(label) ? topScore : rest);
    }
    Map<String, Float> w = new LinkedHashMap<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    Map<String, String> aux = new LinkedHashMap<>();
    weights.forEach((m, v) -> {
      String name = FusionMetrics.modalityLabel(m);
      w.put(name, v);
      counts.put(name, 1 + (int) (v * 10));
      aux.put(name, consistency < 0.5f && m == Modality.AUDIO ? otherLabel(label, labels) : label);
    });
    Instant start = Instant.ofEpochMilli(windowStartMillis);
    return FusedPrediction.newBuilder()
        .setSessionId(session)
        .setWindowStart(start)
        .setWindowEnd(start.plusSeconds(10))
        .setLabel(label)
        .setScores(scores)
        .setModalitiesPresent(List.copyOf(weights.keySet()))
        .setModalityWeights(w)
        .setModalityEventCounts(counts)
        .setModalityAuxLabels(aux)
        .setConsistency(consistency)
        .setEmbedding(null)
        .setModelVersion("test-model-1")
        .setEmittedAt(start.plusSeconds(11))
        .build();
  }

  static Map<Modality, Float> weights(float text, float image, float audio) {
    Map<Modality, Float> w = new LinkedHashMap<>();
    if (text > 0) {
      w.put(Modality.TEXT, text);
    }
    if (image > 0) {
      w.put(Modality.IMAGE, image);
    }
    if (audio > 0) {
      w.put(Modality.AUDIO, audio);
    }
    return w;
  }

  private static String otherLabel(String label, List<String> labels) {
    return labels.stream().filter(l -> !l.equals(label)).findFirst().orElse(label);
  }
}
