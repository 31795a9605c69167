package io.fusionstream.monitor;

import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.Modality;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the dashboard shows of one prediction: the fields of {@link FusedPrediction} without the
 * embedding, plus whether the modalities disagree and how many predictions the session has had.
 *
 * @param disagree the consistency score is under the dashboard's threshold
 * @param updates predictions seen for this session so far, this one included
 */
public record PredictionView(
    String session,
    long windowStart,
    long windowEnd,
    String label,
    Map<String, Float> scores,
    List<String> present,
    Map<String, Float> weights,
    Map<String, Integer> eventCounts,
    Map<String, String> auxLabels,
    float consistency,
    boolean disagree,
    String modelVersion,
    long emittedAt,
    long updates) {

  static PredictionView of(FusedPrediction p, double disagreementThreshold, long updates) {
    return new PredictionView(
        p.getSessionId(),
        p.getWindowStart().toEpochMilli(),
        p.getWindowEnd().toEpochMilli(),
        p.getLabel(),
        new TreeMap<>(p.getScores()),
        p.getModalitiesPresent().stream().map(FusionMetrics::modalityLabel).toList(),
        new TreeMap<>(p.getModalityWeights()),
        new TreeMap<>(p.getModalityEventCounts()),
        new TreeMap<>(p.getModalityAuxLabels()),
        p.getConsistency(),
        // With a single modality there is nothing to disagree with, whatever the score says.
        p.getModalitiesPresent().size() > 1 && p.getConsistency() < disagreementThreshold,
        p.getModelVersion(),
        p.getEmittedAt().toEpochMilli(),
        updates);
  }

  /** The modality names in the order the dashboard lays them out. */
  static List<String> modalityOrder() {
    return Arrays.stream(Modality.values()).map(FusionMetrics::modalityLabel).toList();
  }
}
