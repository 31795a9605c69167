package io.fusionstream.topology;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Uses the event's own timestamp as the record time, so Kafka Streams picks the records of a task's
 * three input topics in event-time order. An event time that is missing, negative or out of
 * {@link EventTimeBounds} never becomes a record time: the record keeps the time it reached Kafka
 * (Kafka Streams would silently skip a negative one, and a far-future one would be refused by the
 * broker on the repartition topic), and the decode stage dead-letters it or keeps that arrival time,
 * as the policy says.
 */
final class EventTimeExtractor<E extends SpecificRecord> implements TimestampExtractor {
  private final ModalityRoute<E, ?> route;
  private final EventTimeBounds bounds;

  EventTimeExtractor(ModalityRoute<E, ?> route, EventTimeBounds bounds) {
    this.route = route;
    this.bounds = bounds;
  }

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    Object value = record.value();
    long now = System.currentTimeMillis();
    long t = route.eventType().isInstance(value)
        ? route.eventTime().applyAsLong(route.eventType().cast(value)) : -1;
    return bounds.accepts(t, now) ? t : bounds.arrivalTime(record.timestamp(), now);
  }
}
