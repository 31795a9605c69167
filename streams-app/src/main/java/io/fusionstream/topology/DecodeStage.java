package io.fusionstream.topology;

import io.fusionstream.decode.InvalidInputException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * First stage of a modality: rejects what cannot be used (no value, no or an over-long session id,
 * a negative or out-of-bounds event time, a payload that breaks a limit or does not decode) by
 * throwing {@link DeadLetterException}, so the record goes to the dead-letter topic with its
 * original bytes before it can join a batch, and keys what passes by its session id: the value is
 * the authority, whatever the record key says.
 */
final class DecodeStage<E extends SpecificRecord, I> implements Processor<String, E, String, ValidEvent<E, I>> {
  static final String REASON_NULL_VALUE = "null-value";
  static final String REASON_MISSING_SESSION = "missing-session-id";
  static final String REASON_SESSION_TOO_LONG = "session-id-too-long";
  static final String REASON_BAD_TIMESTAMP = "invalid-timestamp";
  static final String REASON_TIME_OUT_OF_BOUNDS = "timestamp-out-of-bounds";

  private final ModalityRoute<E, I> route;
  private final EventTimeBounds bounds;
  private final int maxSessionIdChars;
  private final PipelineMetrics metrics;
  private ProcessorContext<String, ValidEvent<E, I>> context;

  DecodeStage(ModalityRoute<E, I> route, EventTimeBounds bounds, int maxSessionIdChars, PipelineMetrics metrics) {
    this.route = route;
    this.bounds = bounds;
    this.maxSessionIdChars = maxSessionIdChars;
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
      throw reject(REASON_NULL_VALUE, "record has no value (tombstone) on " + route.topic());
    }
    String session = route.sessionId().apply(event);
    if (session == null || session.isBlank()) {
      throw reject(REASON_MISSING_SESSION, route.name() + " event " + eventId(event) + " has no session_id");
    }
    if (session.length() > maxSessionIdChars) {
      throw reject(REASON_SESSION_TOO_LONG, route.name() + " event " + eventId(event) + " has a session_id of "
          + session.length() + " chars, limit " + maxSessionIdChars);
    }
    long eventTime = eventTime(event, record.timestamp());
    I decoded;
    try {
      decoded = route.decoder().decode(event);
    } catch (InvalidInputException e) {
      throw new DeadLetterException(e.reason(), e.getMessage(), e);
    } catch (RuntimeException e) {
      // A decoder that crashes on an input is a bad input as far as the pipeline is concerned.
      throw new DeadLetterException(route.name() + "-decode-error",
          route.name() + " event " + eventId(event) + " failed to decode: " + e, e);
    }
    ValidEvent.Source source = context.recordMetadata()
        .map(m -> new ValidEvent.Source(m.topic(), m.partition(), m.offset())).orElse(ValidEvent.Source.UNKNOWN);
    ValidEvent<E, I> valid = new ValidEvent<>(route.modality(), session, eventTime,
        context.currentSystemTimeMs(), event, decoded, source);
    context.forward(new Record<>(session, valid, eventTime, record.headers()));
  }

  /**
   * The event's own time when it is within bounds; otherwise, by policy, a dead letter or the time
   * the record reached Kafka (which {@link EventTimeExtractor} already made the record's time).
   */
  private long eventTime(E event, long recordTime) {
    long eventTime = route.eventTime().applyAsLong(event);
    if (eventTime < 0) {
      throw reject(REASON_BAD_TIMESTAMP, route.name() + " event " + eventId(event) + " has a negative timestamp "
          + eventTime);
    }
    long now = context.currentSystemTimeMs();
    if (bounds.accepts(eventTime, now)) {
      return eventTime;
    }
    metrics.eventTimeOutOfBounds(route.modality(), bounds.policyName());
    if (!bounds.useArrivalTime()) {
      throw reject(REASON_TIME_OUT_OF_BOUNDS, route.name() + " event " + eventId(event) + " has time " + eventTime
          + ", " + describeSkew(eventTime, now) + " the wall clock, outside the configured bounds");
    }
    return bounds.arrivalTime(recordTime, now);
  }

  private static String describeSkew(long eventTime, long now) {
    return eventTime > now ? (eventTime - now) + " ms ahead of" : (now - eventTime) + " ms behind";
  }

  private String eventId(E event) {
    String id = route.eventId().apply(event);
    return id == null || id.length() <= 100 ? id : id.substring(0, 100) + "...";
  }

  private static DeadLetterException reject(String reason, String message) {
    return new DeadLetterException(reason, message, new io.fusionstream.decode.InvalidInputException(reason, message));
  }
}
