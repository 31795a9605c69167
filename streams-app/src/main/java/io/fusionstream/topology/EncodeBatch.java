package io.fusionstream.topology;

import io.fusionstream.decode.InvalidInputException;
import io.fusionstream.encode.EncodeException;
import io.fusionstream.encode.PoisonInputException;
import io.fusionstream.schema.Modality;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The encode stage's batch: the pending events of all modalities, in arrival order. Each modality's
 * events go to its encoder in one call; the encoded events leave in the order they came in.
 *
 * <p>One input never fails its batch. An input the encoder reports as failing alone
 * ({@link PoisonInputException}) is rejected and the rest encoded again; when the encoder fails and
 * names no culprit, the inputs are tried one by one and those that fail alone are rejected. When no
 * input of the batch encodes at all (a single-input batch, or all of them), the route's canary, a
 * small input known to be valid, decides: if it encodes, the inputs are at fault and are rejected;
 * if it fails too, the model is broken and the task fails (and is retried), so an outage never
 * dead-letters good input.
 */
final class EncodeBatch implements BatchFunction<String, ValidEvent<?, ?>, String, EncodedEvent> {
  static final String REASON_ENCODE_FAILED = "encode-failed";
  private static final Logger LOG = LoggerFactory.getLogger(EncodeBatch.class);
  private final Map<Modality, ModalityRoute<?, ?>> routes = new EnumMap<>(Modality.class);
  private final PipelineMetrics metrics;

  EncodeBatch(List<ModalityRoute<?, ?>> routes, PipelineMetrics metrics) {
    routes.forEach(r -> this.routes.put(r.modality(), r));
    this.metrics = metrics;
  }

  @Override
  public BatchResult<String, EncodedEvent> apply(List<PendingRecord<String, ValidEvent<?, ?>>> batch, long now) {
    float[][] vectors = new float[batch.size()][];
    List<BatchResult.Rejection> rejected = new ArrayList<>();
    for (ModalityRoute<?, ?> route : routes.values()) {
      encode(route, batch, vectors, rejected);
    }
    List<Record<String, EncodedEvent>> out = new ArrayList<>(batch.size());
    for (int i = 0; i < vectors.length; i++) {
      ValidEvent<?, ?> e = batch.get(i).value();
      if (vectors[i] != null) {
        out.add(new Record<>(e.sessionId(),
            new EncodedEvent(e.modality(), e.eventTime(), e.ingestWallMs(), vectors[i]), e.eventTime()));
      }
    }
    return new BatchResult<>(out, rejected);
  }

  /** Encodes this route's events of the batch, writing each vector at its event's index. */
  @SuppressWarnings("unchecked")
  private <E extends SpecificRecord, I> void encode(ModalityRoute<E, I> route,
      List<PendingRecord<String, ValidEvent<?, ?>>> batch, float[][] vectors, List<BatchResult.Rejection> rejected) {
    List<Integer> positions = new ArrayList<>();
    List<I> inputs = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      ValidEvent<?, ?> any = batch.get(i).value();
      if (any.modality() != route.modality()) {
        continue;
      }
      ValidEvent<E, I> e = (ValidEvent<E, I>) any;
      I input = e.decoded();
      if (input == null) {
        // After a restart pending events come back without their decoded payload. The decoder
        // accepted them before, so it does again unless the limits were lowered in between.
        try {
          input = route.decoder().decode(e.event());
        } catch (InvalidInputException ex) {
          rejected.add(new BatchResult.Rejection(i, ex.reason(), ex));
          continue;
        } catch (RuntimeException ex) {
          rejected.add(new BatchResult.Rejection(i, route.name() + "-decode-error", ex));
          continue;
        }
      }
      positions.add(i);
      inputs.add(input);
    }
    while (!inputs.isEmpty()) {
      try {
        float[][] encoded = encodeChecked(route, inputs);
        for (int k = 0; k < encoded.length; k++) {
          vectors[positions.get(k)] = encoded[k];
        }
        return;
      } catch (PoisonInputException p) {
        if (p.index() < 0 || p.index() >= inputs.size()) {
          throw p;
        }
        LOG.warn("{}: input {} of a batch of {} fails alone; dead-lettering it and encoding the rest: {}",
            route.encoder().modelId(), p.index(), inputs.size(), p.getMessage());
        rejected.add(new BatchResult.Rejection(positions.remove(p.index()), REASON_ENCODE_FAILED, p));
        inputs.remove(p.index());
      } catch (RuntimeException batchFailure) {
        isolate(route, positions, inputs, vectors, rejected, batchFailure);
        return;
      }
    }
  }

  /** One encoder call, with its result checked: a wrong row count is a failure like any other. */
  private <I> float[][] encodeChecked(ModalityRoute<?, I> route, List<I> inputs) {
    long start = System.nanoTime();
    float[][] encoded = route.encoder().encode(inputs);
    metrics.batch(PipelineMetrics.encodeStage(route.modality()), inputs.size(), System.nanoTime() - start);
    if (encoded == null || encoded.length != inputs.size()) {
      throw new EncodeException(route.encoder().modelId() + " returned "
          + (encoded == null ? "null" : encoded.length + " rows") + " for a batch of " + inputs.size());
    }
    for (float[] row : encoded) {
      if (row == null || row.length != route.encoder().dimension()) {
        throw new EncodeException(route.encoder().modelId() + " returned a row of "
            + (row == null ? "null" : row.length + " values") + ", expected " + route.encoder().dimension());
      }
    }
    return encoded;
  }

  private <E extends SpecificRecord, I> void isolate(ModalityRoute<E, I> route, List<Integer> positions,
      List<I> inputs, float[][] vectors, List<BatchResult.Rejection> rejected, RuntimeException batchFailure) {
    List<Integer> failed = new ArrayList<>();
    List<RuntimeException> causes = new ArrayList<>();
    boolean anyEncoded = false;
    if (inputs.size() == 1) {
      failed.add(0); // it was tried alone already
      causes.add(batchFailure);
    } else {
      for (int k = 0; k < inputs.size(); k++) {
        try {
          vectors[positions.get(k)] = encodeChecked(route, List.of(inputs.get(k)))[0];
          anyEncoded = true;
        } catch (RuntimeException alone) {
          failed.add(k);
          causes.add(alone);
        }
      }
    }
    if (!anyEncoded && !canaryEncodes(route)) {
      throw new EncodeException(route.encoder().modelId() + " fails on every input, a known-good one too: "
          + "the model is failing, not the input (" + batchFailure.getMessage() + ")", batchFailure);
    }
    for (int j = 0; j < failed.size(); j++) {
      int k = failed.get(j);
      LOG.warn("{}: a {} input fails alone while {}; dead-lettering it: {}", route.encoder().modelId(), route.name(),
          anyEncoded ? "others of its batch encode" : "a known-good input encodes", causes.get(j).toString());
      rejected.add(new BatchResult.Rejection(positions.get(k), REASON_ENCODE_FAILED, causes.get(j)));
    }
  }

  private <E extends SpecificRecord, I> boolean canaryEncodes(ModalityRoute<E, I> route) {
    try {
      encodeChecked(route, List.of(route.decoder().decode(route.canary())));
      return true;
    } catch (InvalidInputException | RuntimeException e) {
      LOG.warn("{}: the known-good {} input fails too: {}", route.encoder().modelId(), route.name(), e.toString());
      return false;
    }
  }
}
