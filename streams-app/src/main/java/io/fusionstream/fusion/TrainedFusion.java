package io.fusionstream.fusion;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import io.fusionstream.schema.Modality;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a training run: the architecture, the parameters of the best epoch (serialised
 * exactly as on disk, so a model built from here behaves as the saved one) and the history.
 */
public record TrainedFusion(
    FusionArchitecture architecture,
    byte[] parameters,
    List<EpochMetrics> history,
    int bestEpoch,
    TrainOptions options) {

  /** A serving model with these parameters and no calibration; the caller closes it. */
  public DjlFusionModel toModel(String version) {
    return toModel(version, ModelCalibration.NONE);
  }

  /** A serving model with these parameters, scaling and flagging as {@code calibration} says. */
  public DjlFusionModel toModel(String version, ModelCalibration calibration) {
    NDManager manager = NDManager.newBaseManager(Device.cpu(), DjlFusionModel.ENGINE);
    try {
      FusionBlock block = new FusionBlock(architecture);
      block.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(parameters)));
      return new DjlFusionModel(describe(version, Map.of(), Map.of(), calibration), block, manager);
    } catch (IOException e) {
      manager.close();
      throw new UncheckedIOException(e);
    } catch (MalformedModelException | RuntimeException e) {
      manager.close();
      throw new IllegalStateException("trained parameters do not fit the architecture", e);
    }
  }

  public EpochMetrics best() {
    return history.get(bestEpoch - 1);
  }

  ModelDescription describe(String version, Map<Modality, String> encoderIds,
      Map<String, Object> extraMetrics, ModelCalibration calibration) {
    Map<String, Object> training = new LinkedHashMap<>();
    training.put("epochs_run", history.size());
    training.put("best_epoch", bestEpoch);
    training.put("train_loss", best().trainLoss());
    training.put("train_accuracy", best().trainAccuracy());
    training.put("validation_loss", best().validationLoss());
    training.put("validation_accuracy", best().validationAccuracy());
    training.put("seed", options.seed());
    training.put("modality_dropout", options.modalityDropout());
    training.put("learning_rate", options.learningRate());
    training.putAll(extraMetrics);
    return ModelDescription.of(
        architecture,
        version,
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
        encoderIds,
        training,
        calibration);
  }

  /** Writes parameters and model.json, uncalibrated, into the existing directory {@code dir}. */
  public ModelDescription saveTo(
      Path dir, String version, Map<Modality, String> encoderIds, Map<String, Object> metrics)
      throws IOException {
    return saveTo(dir, version, encoderIds, metrics, ModelCalibration.NONE);
  }

  /** Writes parameters and model.json, with {@code calibration}, into the existing directory {@code dir}. */
  public ModelDescription saveTo(Path dir, String version, Map<Modality, String> encoderIds,
      Map<String, Object> metrics, ModelCalibration calibration) throws IOException {
    try (DjlFusionModel model = toModel(version, calibration)) {
      ModelDescription description = describe(version, encoderIds, metrics, calibration);
      model.saveTo(dir, description);
      return description;
    }
  }
}
