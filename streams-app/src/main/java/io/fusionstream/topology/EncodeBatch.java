package io.fusionstream.topology;

import io.fusionstream.encode.EncodeException;
import io.fusionstream.encode.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The encode stage's batch: one encoder call for all pending events of a modality. */
final class EncodeBatch<E extends SpecificRecord, I>
    implements BatchFunction<String, ValidEvent<E, I>, String, EncodedEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(EncodeBatch.class);
  private final ModalityRoute<E, I> route;
  private final PipelineMetrics metrics;

  EncodeBatch(ModalityRoute<E, I> route, PipelineMetrics metrics) {
    this.route = route;
    this.metrics = metrics;
  }

  @Override
  public List<Record<String, EncodedEvent>> apply(List<PendingRecord<String, ValidEvent<E, I>>> batch, long now) {
    List<ValidEvent<E, I>> events = new ArrayList<>(batch.size());
    List<I> inputs = new ArrayList<>(batch.size());
    for (PendingRecord<String, ValidEvent<E, I>> p : batch) {
      ValidEvent<E, I> e = p.value();
      I input = e.decoded() != null ? e.decoded() : decodeAgain(e);
      if (input != null) {
        events.add(e);
        inputs.add(input);
      }
    }
    if (inputs.isEmpty()) {
      return List.of();
    }
    float[][] vectors = route.encoder().encode(inputs);
    if (vectors == null || vectors.length != inputs.size()) {
      throw new EncodeException(route.encoder().modelId() + " returned "
          + (vectors == null ? "null" : vectors.length + " rows") + " for a batch of " + inputs.size());
    }
    List<Record<String, EncodedEvent>> out = new ArrayList<>(events.size());
    for (int i = 0; i < vectors.length; i++) {
      ValidEvent<E, I> e = events.get(i);
      out.add(new Record<>(e.sessionId(),
          new EncodedEvent(e.modality(), e.eventTime(), e.ingestWallMs(), vectors[i]), e.eventTime()));
    }
    return out;
  }

  /**
   * After a restart pending events come back without their decoded payload. The decoder accepted
   * them before, so it does again unless the limits were lowered in between; such an event is
   * logged and counted as a dead letter (its original bytes are not at hand any more).
   */
  private I decodeAgain(ValidEvent<E, I> e) {
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
