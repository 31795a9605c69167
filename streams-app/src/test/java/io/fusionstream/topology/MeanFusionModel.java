package io.fusionstream.topology;

import io.fusionstream.fusion.FusionInput;
import io.fusionstream.fusion.FusionModel;
import io.fusionstream.fusion.FusionOutput;
import io.fusionstream.schema.Modality;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A deterministic test fusion: each present modality scores the mean of its pooled vector, the
 * window scores the mean of those; "high" when positive. Windows are fused independently, so
 * batching cannot change results. Records the size of every batch.
 */
final class MeanFusionModel implements FusionModel {
  final List<Integer> batchSizes = new ArrayList<>();

  @Override
  public String version() {
    return "mean-test-1";
  }

  @Override
  public List<String> labels() {
    return List.of("low", "high");
  }

  @Override
  public synchronized List<FusionOutput> predict(List<FusionInput> batch) {
    batchSizes.add(batch.size());
    List<FusionOutput> out = new ArrayList<>();
    for (FusionInput in : batch) {
      out.add(fuse(in));
    }
    return out;
  }

  static FusionOutput fuse(FusionInput in) {
    Map<Modality, Float> weights = new EnumMap<>(Modality.class);
    Map<Modality, String> aux = new EnumMap<>(Modality.class);
    double total = 0;
    List<Float> concat = new ArrayList<>();
    for (Modality m : Modality.values()) {
      float[] v = in.pooled().get(m);
      if (v == null) {
        continue;
      }
      double mean = 0;
      for (float f : v) {
        mean += f;
        concat.add(f);
      }
      mean /= v.length;
      total += mean;
      aux.put(m, mean > 0 ? "high" : "low");
    }
    int n = aux.size();
    aux.keySet().forEach(m -> weights.put(m, 1f / n));
    double score = total / n;
    float pHigh = (float) (1 / (1 + Math.exp(-score)));
    String label = pHigh >= 0.5f ? "high" : "low";
    long agree = aux.values().stream().filter(label::equals).count();
    double norm = Math.sqrt(concat.stream().mapToDouble(f -> f * f).sum());
    float[] embedding = new float[concat.size()];
    for (int i = 0; i < embedding.length; i++) {
      embedding[i] = (float) (norm == 0 ? 0 : concat.get(i) / norm);
    }
    return new FusionOutput(label, Map.of("high", pHigh, "low", 1 - pHigh), weights, aux,
        (float) agree / n, embedding);
  }

  @Override
  public void close() {}
}
