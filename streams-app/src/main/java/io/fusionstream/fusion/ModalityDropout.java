package io.fusionstream.fusion;

import io.fusionstream.schema.Modality;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Hides present modalities of a training window at random, always leaving at least one. */
final class ModalityDropout {
  private ModalityDropout() {}

  static FusionInput apply(FusionInput input, float rate, Random random) {
    if (rate <= 0f || input.pooled().size() == 1) {
      return input;
    }
    Map<Modality, float[]> kept = new EnumMap<>(Modality.class);
    List<Modality> present = new ArrayList<>();
    for (Modality m : FusionArchitecture.ORDER) {
      float[] v = input.pooled().get(m);
      if (v == null) {
        continue;
      }
      present.add(m);
      if (random.nextFloat() >= rate) {
        kept.put(m, v);
      }
    }
    if (kept.isEmpty()) {
      Modality survivor = present.get(random.nextInt(present.size()));
      kept.put(survivor, input.pooled().get(survivor));
    }
    return new FusionInput(kept);
  }
}
