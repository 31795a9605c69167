package io.fusionstream.topology;

import io.fusionstream.fusion.FusionInput;
import io.fusionstream.fusion.FusionModel;
import io.fusionstream.fusion.FusionOutput;
import io.fusionstream.schema.FusedPrediction;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The fuse stage's batch: one model call for all pending windows. The model is borrowed from the
 * supplier once per batch and closed when the batch is done, which fits a model store's leases
 * (a hot reload takes effect at a batch boundary, an old version is released only after its last
 * batch) and every prediction of a batch names the version that made it.
 */
final class FuseBatch implements BatchFunction<String, ClosedWindow, String, FusedPrediction> {
  private final Supplier<? extends FusionModel> model;
  private final PredictionMapper mapper;
  private final PipelineMetrics metrics;

  FuseBatch(Supplier<? extends FusionModel> model, PredictionMapper mapper, PipelineMetrics metrics) {
    this.model = model;
    this.mapper = mapper;
    this.metrics = metrics;
  }

  @Override
  public List<Record<String, FusedPrediction>> apply(List<PendingRecord<String, ClosedWindow>> batch, long now) {
    try (FusionModel current = model.get()) {
      if (current == null) {
        throw new IllegalStateException("no fusion model loaded");
      }
      return fuse(current, batch, now);
    }
  }

  private List<Record<String, FusedPrediction>> fuse(FusionModel current,
      List<PendingRecord<String, ClosedWindow>> batch, long now) {
    metrics.modelInUse(current.version());
    List<FusionInput> inputs = new ArrayList<>(batch.size());
    for (PendingRecord<String, ClosedWindow> p : batch) {
      inputs.add(new FusionInput(p.value().embeddings()));
    }
    List<FusionOutput> outputs = current.predict(inputs);
    if (outputs == null || outputs.size() != inputs.size()) {
      throw new IllegalStateException("fusion model " + current.version() + " returned "
          + (outputs == null ? "null" : outputs.size() + " outputs") + " for " + inputs.size() + " windows");
    }
    List<Record<String, FusedPrediction>> out = new ArrayList<>(outputs.size());
    for (int i = 0; i < outputs.size(); i++) {
      ClosedWindow w = batch.get(i).value();
      FusedPrediction prediction = mapper.map(w, outputs.get(i), current.version(), now);
      metrics.prediction(prediction.getLabel());
      metrics.modalitiesPresent(prediction.getModalitiesPresent());
      metrics.endToEndLatency(Math.max(0, now - w.lastIngestWallMs()));
      out.add(new Record<>(w.sessionId(), prediction, batch.get(i).timestamp()));
    }
    return out;
  }
}
