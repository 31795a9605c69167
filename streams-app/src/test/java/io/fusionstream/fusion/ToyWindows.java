package io.fusionstream.fusion;

import io.fusionstream.schema.Modality;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Small vector data for fast tests, built like the synthetic dataset: valence in text (dims 0-1)
 * and image (dims 0-1), arousal in audio (dims 0-1), every other dimension noise. Labels:
 * neutral when calm, else positive or negative by valence.
 */
final class ToyWindows {
  static final List<String> LABELS = List.of("positive", "neutral", "negative");
  static final Map<Modality, Integer> DIMS =
      Map.of(Modality.TEXT, 8, Modality.IMAGE, 6, Modality.AUDIO, 5);

  private ToyWindows() {}

  static List<LabeledWindow> make(int n, long seed) {
    Random r = new Random(seed);
    List<LabeledWindow> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int label = r.nextInt(3);
      double valence = label == 0 ? 1 : label == 2 ? -1 : (r.nextBoolean() ? 1 : -1);
      double arousal = label == 1 ? -1 : 1;
      Map<Modality, float[]> pooled = new EnumMap<>(Modality.class);
      pooled.put(Modality.TEXT, vector(r, DIMS.get(Modality.TEXT), valence, 1.0));
      pooled.put(Modality.IMAGE, vector(r, DIMS.get(Modality.IMAGE), valence, 1.2));
      pooled.put(Modality.AUDIO, vector(r, DIMS.get(Modality.AUDIO), arousal, 0.8));
      out.add(new LabeledWindow("s" + i, label, new FusionInput(pooled)));
    }
    return out;
  }

  private static float[] vector(Random r, int dim, double signal, double noise) {
    float[] v = new float[dim];
    for (int k = 0; k < dim; k++) {
      v[k] = (float) ((k < 2 ? signal : 0) + noise * r.nextGaussian());
    }
    return v;
  }
}
