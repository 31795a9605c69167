package io.fusionstream.fusion;

import io.fusionstream.schema.Modality;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a fusion model must fit to serve: the running encoders' vector size and model id per
 * modality. A model trained on other encoders would fail every fuse batch (other sizes) or, worse,
 * answer nonsense (same sizes, other vectors), so it is refused before it serves.
 */
public record EncoderRequirement(Map<Modality, Integer> dimensions, Map<Modality, String> encoderIds) {
  /** What the running encoders give: each modality's dimension and model id. */
  public static EncoderRequirement of(io.fusionstream.encode.Encoders encoders) {
    Map<Modality, Integer> dims = new EnumMap<>(Modality.class);
    Map<Modality, String> ids = new EnumMap<>(Modality.class);
    for (io.fusionstream.encode.Encoder<?> e : java.util.List.of(encoders.text(), encoders.image(), encoders.audio())) {
      dims.put(e.modality(), e.dimension());
      ids.put(e.modality(), e.modelId());
    }
    return new EncoderRequirement(dims, ids);
  }


  public EncoderRequirement {
    dimensions = Map.copyOf(dimensions);
    encoderIds = Map.copyOf(encoderIds);
  }

  /** Why {@code model} does not fit the running encoders, or empty when it does. */
  public Optional<String> mismatch(ModelDescription model) {
    Map<Modality, Integer> modelDims = new EnumMap<>(Modality.class);
    if (model.inputDims() != null) {
      model.inputDims().forEach((k, v) -> modelDims.put(Modality.valueOf(k.toUpperCase(Locale.ROOT)), v));
    }
    StringBuilder why = new StringBuilder();
    for (Map.Entry<Modality, Integer> running : dimensions.entrySet()) {
      Modality m = running.getKey();
      String name = m.name().toLowerCase(Locale.ROOT);
      Integer expected = modelDims.get(m);
      String runningId = encoderIds.get(m);
      String trainedId = model.encoderIds() == null ? null : model.encoderIds().get(name);
      if (expected == null) {
        append(why, name + ": the model has no " + name + " input, the pipeline encodes " + name + " with "
            + runningId);
      } else if (!expected.equals(running.getValue())) {
        append(why, name + ": the model takes " + expected + " dims" + (trainedId == null ? "" : " from " + trainedId)
            + ", the running encoder " + runningId + " gives " + running.getValue());
      } else if (trainedId != null && runningId != null && !trainedId.equals(runningId)) {
        append(why, name + ": the model was trained on " + trainedId + ", the running encoder is " + runningId);
      }
    }
    return why.isEmpty() ? Optional.empty() : Optional.of(why.toString());
  }

  private static void append(StringBuilder b, String s) {
    if (!b.isEmpty()) {
      b.append("; ");
    }
    b.append(s);
  }
}
