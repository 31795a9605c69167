package io.fusionstream.fusion;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fusionstream.schema.Modality;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model.json of a saved fusion model: what the parameters mean (architecture), where they came
 * from (encoders, training) and which version they are. Modality keys are lower-case names.
 *
 * @param format layout version of this file, {@link #FORMAT}
 * @param version the model version written into every prediction, e.g. {@code v0003}
 * @param createdAt ISO-8601 UTC time the model was saved
 * @param encoderIds {@code Encoder#modelId()} per modality: vectors from another encoder would be
 *     meaningless to this model
 * @param training metrics and settings of the run that produced it
 * @param temperature temperature scaling of the scores, fitted on validation; absent in models
 *     saved before it existed, which means 1
 * @param disagreementThreshold consistency under which serving flags a window as disagreeing,
 *     fitted on validation; absent means 0.5
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelDescription(
    int format,
    String version,
    String createdAt,
    String strategy,
    List<String> labels,
    Map<String, Integer> inputDims,
    int sharedDim,
    int attentionDim,
    int hiddenDim,
    float dropout,
    Map<String, String> encoderIds,
    Map<String, Object> training,
    Double temperature,
    Double disagreementThreshold) {

  public static final int FORMAT = 1;
  public static final String FILE = "model.json";
  public static final String PARAMETERS = "fusion.params";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static ModelDescription of(
      FusionArchitecture arch,
      String version,
      String createdAt,
      Map<Modality, String> encoderIds,
      Map<String, Object> training,
      ModelCalibration calibration) {
    Map<String, Integer> dims = new LinkedHashMap<>();
    arch.inputDims().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> dims.put(key(e.getKey()), e.getValue()));
    Map<String, String> encoders = new LinkedHashMap<>();
    encoderIds.forEach((m, id) -> encoders.put(key(m), id));
    return new ModelDescription(
        FORMAT,
        version,
        createdAt,
        arch.strategy().id(),
        arch.labels(),
        dims,
        arch.sharedDim(),
        arch.attentionDim(),
        arch.hiddenDim(),
        arch.dropout(),
        encoders,
        training,
        calibration.temperature(),
        calibration.disagreementThreshold());
  }

  /** The saved calibration, with the defaults of {@link ModelCalibration#NONE} for what is absent. */
  public ModelCalibration calibration() {
    return new ModelCalibration(
        temperature == null ? ModelCalibration.NONE.temperature() : temperature,
        disagreementThreshold == null ? ModelCalibration.NONE.disagreementThreshold() : disagreementThreshold);
  }

  public FusionArchitecture architecture() {
    Map<Modality, Integer> dims = new EnumMap<>(Modality.class);
    inputDims.forEach((k, v) -> dims.put(Modality.valueOf(k.toUpperCase(Locale.ROOT)), v));
    return new FusionArchitecture(
        FusionStrategy.parse(strategy), labels, dims, sharedDim, attentionDim, hiddenDim, dropout);
  }

  public ModelDescription withVersion(String newVersion) {
    return new ModelDescription(
        format, newVersion, createdAt, strategy, labels, inputDims, sharedDim, attentionDim,
        hiddenDim, dropout, encoderIds, training, temperature, disagreementThreshold);
  }

  static String key(Modality m) {
    return m.name().toLowerCase(Locale.ROOT);
  }

  public void write(Path dir) throws IOException {
    JSON.writeValue(dir.resolve(FILE).toFile(), this);
  }

  public static ModelDescription read(Path dir) throws IOException {
    ModelDescription d = JSON.readValue(dir.resolve(FILE).toFile(), ModelDescription.class);
    if (d.format() != FORMAT) {
      throw new IOException(
          dir.resolve(FILE) + " has format " + d.format() + ", this build reads " + FORMAT);
    }
    return d;
  }
}
