package io.fusionstream.fusion;

import io.fusionstream.schema.Modality;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Replaces one modality of a training window by the encoder vector of a noise input, so the
 * fusion sees what a broken sensor looks like far more often than a dataset shows it, and the
 * trust term (its auxiliary head cannot be right about noise) teaches the scorer to weigh it
 * least. The label stays: the other modalities still carry it.
 *
 * @param vectors encoded noise inputs per modality; a modality without any is never replaced
 */
public record NoiseAugmentation(Map<Modality, List<float[]>> vectors) {
  public static final NoiseAugmentation NONE = new NoiseAugmentation(Map.of());

  public NoiseAugmentation {
    Map<Modality, List<float[]>> copy = new EnumMap<>(Modality.class);
    vectors.forEach((m, v) -> {
      if (!v.isEmpty()) {
        copy.put(m, List.copyOf(v));
      }
    });
    vectors = Map.copyOf(copy);
  }

  /** The noise vectors of each modality present in {@code windows} (all of them noise). */
  public static NoiseAugmentation of(List<LabeledWindow> windows) {
    Map<Modality, List<float[]>> vectors = new EnumMap<>(Modality.class);
    for (LabeledWindow w : windows) {
      w.input().pooled().forEach((m, v) -> vectors.computeIfAbsent(m, k -> new ArrayList<>()).add(v));
    }
    return new NoiseAugmentation(vectors);
  }

  /** With probability {@code rate}, one of at least two present modalities becomes noise. */
  FusionInput apply(FusionInput input, float rate, Random random) {
    if (rate <= 0f || vectors.isEmpty() || input.pooled().size() < 2 || random.nextFloat() >= rate) {
      return input;
    }
    List<Modality> candidates = new ArrayList<>();
    for (Modality m : FusionArchitecture.ORDER) {
      if (input.has(m) && vectors.containsKey(m)) {
        candidates.add(m);
      }
    }
    if (candidates.isEmpty()) {
      return input;
    }
    Modality m = candidates.get(random.nextInt(candidates.size()));
    List<float[]> pool = vectors.get(m);
    Map<Modality, float[]> pooled = new EnumMap<>(input.pooled());
    pooled.put(m, pool.get(random.nextInt(pool.size())));
    return new FusionInput(pooled);
  }
}
