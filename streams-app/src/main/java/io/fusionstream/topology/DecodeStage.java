package io.fusionstream.topology;

import io.fusionstream.decode.InvalidInputException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * First stage of a modality: rejects what cannot be used (no value, no session id, a negative event
 * time, a payload that breaks a limit or does not decode) by throwing {@link DeadLetterException},
 * so the record goes to the dead-letter topic with its original bytes before it can join a batch,
 * and keys what passes by its session id: the value is the authority, whatever the record key says.
 */
final class DecodeStage<E extends SpecificRecord, I> implements Processor<String, E, String, ValidEvent<E, I>> {
  static final String REASON_NULL_VALUE = "null-value";
  static final String REASON_MISSING_SESSION = "missing-session-id";
  static final String REASON_BAD_TIMESTAMP = "invalid-timestamp";

  private final ModalityRoute<E, I> route;
  private final PipelineMetrics metrics;
  private ProcessorContext<String, ValidEvent<E, I>> context;

  DecodeStage(ModalityRoute<E, I> route, PipelineMetrics metrics) {
    this.route = route;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, ValidEvent<E, I>> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, E> record) {
    metrics.eventIn(route.modality());
    E event = record.value();
    if (event == null) {
      throw reject(REASON_NULL_VALUE, "record has no value (tombstone) on " + route.topic(), null);
    }
    String session = route.sessionId().apply(event);
    if (session == null || session.isBlank()) {
      throw reject(REASON_MISSING_SESSION, route.name() + " event " + route.eventId().apply(event)
          + " has no session_id", null);
    }
    long eventTime = route.eventTime().applyAsLong(event);
    if (eventTime < 0) {
      throw reject(REASON_BAD_TIMESTAMP, route.name() + " event " + route.eventId().apply(event)
          + " has a negative timestamp " + eventTime, null);
    }
    I decoded;
    try {
      decoded = route.decoder().decode(event);
    } catch (InvalidInputException e) {
      throw new DeadLetterException(e.reason(), e.getMessage(), e);
    } catch (RuntimeException e) {
      // A decoder that crashes on an input is a bad input as far as the pipeline is concerned.
      throw new DeadLetterException(route.name() + "-decode-error",
          route.name() + " event " + route.eventId().apply(event) + " failed to decode: " + e, e);
    }
    ValidEvent<E, I> valid = new ValidEvent<>(route.modality(), session, eventTime,
        context.currentSystemTimeMs(), event, decoded);
    context.forward(new Record<>(session, valid, eventTime, record.headers()));
  }

  private static DeadLetterException reject(String reason, String message, Throwable cause) {
    return new DeadLetterException(reason, message,
        cause != null ? cause : new InvalidInputException(reason, message));
  }
}
