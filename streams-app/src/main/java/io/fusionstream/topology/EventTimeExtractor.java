package io.fusionstream.topology;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Uses the event's own timestamp as the record time, so Kafka Streams picks the records of a task's
 * three input topics in event-time order. Events without a usable time keep the broker's time here
 * (Kafka Streams would silently skip a negative one) and are dead-lettered by the decode stage.
 */
final class EventTimeExtractor<E extends org.apache.avro.specific.SpecificRecord> implements TimestampExtractor {
  private final ModalityRoute<E, ?> route;

  EventTimeExtractor(ModalityRoute<E, ?> route) {
    this.route = route;
  }

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    Object value = record.value();
    long t = route.eventType().isInstance(value)
        ? route.eventTime().applyAsLong(route.eventType().cast(value)) : -1;
    if (t >= 0) {
      return t;
    }
    return record.timestamp() >= 0 ? record.timestamp() : Math.max(partitionTime, 0);
  }
}
