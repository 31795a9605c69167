package io.fusionstream.topology;

import io.fusionstream.fusion.FusionInput;
import io.fusionstream.fusion.FusionModel;
import io.fusionstream.fusion.FusionOutput;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.Modality;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fuse stage's batch: one model call for all pending windows. The model is borrowed from the
 * supplier once per batch and closed when the batch is done, which fits a model store's leases
 * (a hot reload takes effect at a batch boundary, an old version is released only after its last
 * batch) and every prediction of a batch names the version that made it.
 *
 * <p>One window never fails its batch: when the batch fails, its windows are fused one by one and
 * those that fail alone are rejected. When none fuses, a canary window (zero vectors of the running
 * encoders' sizes) decides whether the windows or the model are at fault, as in {@link EncodeBatch}.
 */
final class FuseBatch implements BatchFunction<String, ClosedWindow, String, FusedPrediction> {
  static final String REASON_FUSE_FAILED = "fuse-failed";
  private static final Logger LOG = LoggerFactory.getLogger(FuseBatch.class);

  private final Supplier<? extends FusionModel> model;
  private final PredictionMapper mapper;
  private final FusionInput canary;
  private final PipelineMetrics metrics;

  /** @param dimensions the running encoders' vector sizes, for the canary window */
  FuseBatch(Supplier<? extends FusionModel> model, PredictionMapper mapper, Map<Modality, Integer> dimensions,
      PipelineMetrics metrics) {
    this.model = model;
    this.mapper = mapper;
    Map<Modality, float[]> zeros = new EnumMap<>(Modality.class);
    dimensions.forEach((m, d) -> zeros.put(m, new float[d]));
    this.canary = new FusionInput(zeros);
    this.metrics = metrics;
  }

  @Override
  public BatchResult<String, FusedPrediction> apply(List<PendingRecord<String, ClosedWindow>> batch, long now) {
    try (FusionModel current = model.get()) {
      if (current == null) {
        throw new IllegalStateException("no fusion model loaded");
      }
      metrics.modelInUse(current.version());
      try {
        return BatchResult.of(fuse(current, batch, now));
      } catch (RuntimeException batchFailure) {
        return isolate(current, batch, now, batchFailure);
      }
    }
  }

  private List<Record<String, FusedPrediction>> fuse(FusionModel current,
      List<PendingRecord<String, ClosedWindow>> batch, long now) {
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
      out.add(new Record<>(w.sessionId(), mapper.map(w, outputs.get(i), current.version(), now),
          batch.get(i).timestamp()));
    }
    // Counted only once the whole batch is mapped, so a batch retried window by window is not counted twice.
    for (int i = 0; i < out.size(); i++) {
      FusedPrediction prediction = out.get(i).value();
      metrics.prediction(prediction.getLabel());
      metrics.modalitiesPresent(prediction.getModalitiesPresent());
      metrics.endToEndLatency(Math.max(0, now - batch.get(i).value().lastIngestWallMs()));
    }
    return out;
  }

  private BatchResult<String, FusedPrediction> isolate(FusionModel current,
      List<PendingRecord<String, ClosedWindow>> batch, long now, RuntimeException batchFailure) {
    List<Record<String, FusedPrediction>> out = new ArrayList<>();
    List<Integer> failed = new ArrayList<>();
    List<RuntimeException> causes = new ArrayList<>();
    if (batch.size() == 1) {
      failed.add(0);
      causes.add(batchFailure);
    } else {
      for (int i = 0; i < batch.size(); i++) {
        try {
          out.addAll(fuse(current, List.of(batch.get(i)), now));
        } catch (RuntimeException alone) {
          failed.add(i);
          causes.add(alone);
        }
      }
    }
    if (out.isEmpty() && !canaryFuses(current)) {
      throw new IllegalStateException("fusion model " + current.version() + " fails on every window, a known-good "
          + "one too: the model is failing, not the windows (" + batchFailure.getMessage() + ")", batchFailure);
    }
    List<BatchResult.Rejection> rejected = new ArrayList<>();
    for (int j = 0; j < failed.size(); j++) {
      ClosedWindow w = batch.get(failed.get(j)).value();
      LOG.warn("Fusion model {} fails on the window [{}, {}) of session {}; dead-lettering it: {}", current.version(),
          w.start(), w.end(), w.sessionId(), causes.get(j).toString());
      rejected.add(new BatchResult.Rejection(failed.get(j), REASON_FUSE_FAILED, causes.get(j)));
    }
    return new BatchResult<>(out, rejected);
  }

  private boolean canaryFuses(FusionModel current) {
    try {
      List<FusionOutput> out = current.predict(List.of(canary));
      return out != null && out.size() == 1;
    } catch (RuntimeException e) {
      LOG.warn("Fusion model {} fails on a known-good window too: {}", current.version(), e.toString());
      return false;
    }
  }
}
