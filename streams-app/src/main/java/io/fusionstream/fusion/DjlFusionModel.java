package io.fusionstream.fusion;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link FusionBlock} with its parameters, serving batches with DJL NDArrays on the PyTorch
 * engine. Each call works in its own sub-manager, so concurrent calls neither share temporaries
 * nor leak them into the model's manager.
 */
public final class DjlFusionModel implements FusionModel {
  public static final String ENGINE = "PyTorch";

  private final ModelDescription description;
  private final FusionBlock block;
  private final NDManager manager;
  private final ModelCalibration calibration;

  DjlFusionModel(ModelDescription description, FusionBlock block, NDManager manager) {
    this.description = description;
    this.calibration = description.calibration();
    this.block = block;
    this.manager = manager;
  }

  /** Loads model.json and the parameters of a saved model directory. */
  public static DjlFusionModel load(Path dir) throws IOException {
    ModelDescription description = ModelDescription.read(dir);
    NDManager manager = NDManager.newBaseManager(Device.cpu(), ENGINE);
    try {
      FusionBlock block = new FusionBlock(description.architecture());
      try (DataInputStream in =
          new DataInputStream(
              new BufferedInputStream(
                  Files.newInputStream(dir.resolve(ModelDescription.PARAMETERS))))) {
        block.loadParameters(manager, in);
      }
      return new DjlFusionModel(description, block, manager);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      manager.close();
      throw new IOException("cannot load the fusion model in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Writes the parameters and model.json into {@code dir}, which must exist. */
  void saveTo(Path dir, ModelDescription description) throws IOException {
    try (DataOutputStream out =
        new DataOutputStream(
            new BufferedOutputStream(
                Files.newOutputStream(dir.resolve(ModelDescription.PARAMETERS))))) {
      block.saveParameters(out);
    }
    // model.json last: a directory without it is incomplete and the model store skips it
    description.write(dir);
  }

  public ModelDescription description() {
    return description;
  }

  @Override
  public String version() {
    return description.version();
  }

  @Override
  public ModelCalibration calibration() {
    return calibration;
  }

  @Override
  public List<String> labels() {
    return description.labels();
  }

  @Override
  public List<FusionOutput> predict(List<FusionInput> batch) {
    if (batch.isEmpty()) {
      return List.of();
    }
    try (NDManager scope = manager.newSubManager()) {
      NDList inputs = FusionTensors.inputs(scope, block.architecture(), batch);
      NDList out = block.forward(new ParameterStore(scope, false), inputs, false);
      return FusionOutputs.decode(out, description.labels(), calibration);
    }
  }

  @Override
  public void close() {
    manager.close();
  }

  /** Wraps an I/O failure of {@link #load} for callers that cannot throw checked exceptions. */
  static DjlFusionModel loadUnchecked(Path dir) {
    try {
      return load(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
