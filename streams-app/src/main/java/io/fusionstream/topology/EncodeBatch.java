package io.fusionstream.topology;

import io.fusionstream.encode.EncodeException;
import io.fusionstream.decode.InvalidInputException;
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
 */
final class EncodeBatch implements BatchFunction<String, ValidEvent<?, ?>, String, EncodedEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(EncodeBatch.class);
  private final Map<Modality, ModalityRoute<?, ?>> routes = new EnumMap<>(Modality.class);
  private final PipelineMetrics metrics;

  EncodeBatch(List<ModalityRoute<?, ?>> routes, PipelineMetrics metrics) {
    routes.forEach(r -> this.routes.put(r.modality(), r));
    this.metrics = metrics;
  }

  @Override
  public List<Record<String, EncodedEvent>> apply(List<PendingRecord<String, ValidEvent<?, ?>>> batch, long now) {
    float[][] vectors = new float[batch.size()][];
    for (ModalityRoute<?, ?> route : routes.values()) {
      encode(route, batch, vectors);
    }
    List<Record<String, EncodedEvent>> out = new ArrayList<>(batch.size());
    for (int i = 0; i < vectors.length; i++) {
      ValidEvent<?, ?> e = batch.get(i).value();
      if (vectors[i] != null) {
        out.add(new Record<>(e.sessionId(),
            new EncodedEvent(e.modality(), e.eventTime(), e.ingestWallMs(), vectors[i]), e.eventTime()));
      }
    }
    return out;
  }

  /** Encodes this route's events of the batch in one call, writing each vector at its event's index. */
  @SuppressWarnings("unchecked")
  private <E extends SpecificRecord, I> void encode(ModalityRoute<E, I> route,
      List<PendingRecord<String, ValidEvent<?, ?>>> batch, float[][] vectors) {
    List<Integer> positions = new ArrayList<>();
    List<I> inputs = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      ValidEvent<?, ?> any = batch.get(i).value();
      if (any.modality() != route.modality()) {
        continue;
      }
      ValidEvent<E, I> e = (ValidEvent<E, I>) any;
      I input = e.decoded() != null ? e.decoded() : decodeAgain(route, e, metrics);
      if (input != null) {
        positions.add(i);
        inputs.add(input);
      }
    }
    if (inputs.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    float[][] encoded = route.encoder().encode(inputs);
    metrics.batch(PipelineMetrics.encodeStage(route.modality()), inputs.size(), System.nanoTime() - start);
    if (encoded == null || encoded.length != inputs.size()) {
      throw new EncodeException(route.encoder().modelId() + " returned "
          + (encoded == null ? "null" : encoded.length + " rows") + " for a batch of " + inputs.size());
    }
    for (int k = 0; k < encoded.length; k++) {
      vectors[positions.get(k)] = encoded[k];
    }
  }

  /**
   * After a restart pending events come back without their decoded payload. The decoder accepted
   * them before, so it does again unless the limits were lowered in between; such an event is
   * logged and counted as a dead letter, but not written to the dead-letter topic: its original
   * bytes are not at hand any more.
   */
  private static <E extends SpecificRecord, I> I decodeAgain(ModalityRoute<E, I> route, ValidEvent<E, I> e,
      PipelineMetrics metrics) {
    try {
      return route.decoder().decode(e.event());
    } catch (InvalidInputException ex) {
      LOG.warn("Pending {} event {} of session {} no longer decodes ({}): dropped", route.name(),
          route.eventId().apply(e.event()), e.sessionId(), ex.reason(), ex);
      metrics.deadLetter(ex.reason());
      return null;
    }
  }
}
