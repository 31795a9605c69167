package io.fusionstream.fusion;

import io.fusionstream.schema.Modality;
import java.util.List;
import java.util.Map;

/**
 * A manifest turned into vectors: one labelled window per session, the label order, and which
 * encoder made each modality's vectors (saved into model.json so serving uses the same ones).
 */
public record EncodedDataset(
    List<String> labels,
    List<LabeledWindow> windows,
    Map<Modality, Integer> dims,
    Map<Modality, String> encoderIds) {}
