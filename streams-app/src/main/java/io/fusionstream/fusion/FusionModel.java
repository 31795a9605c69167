package io.fusionstream.fusion;

import java.util.List;

/**
 * A trained fusion model: projections, fusion strategy and heads. Thread-safe; a batch of windows
 * in, one output per window out, in order. Batching never changes results.
 */
public interface FusionModel extends AutoCloseable {

  /** The version written into every prediction this model makes. */
  String version();

  List<String> labels();

  List<FusionOutput> predict(List<FusionInput> batch);

  /** The temperature and disagreement threshold the outputs were made with. */
  default ModelCalibration calibration() {
    return ModelCalibration.NONE;
  }

  @Override
  void close();
}
