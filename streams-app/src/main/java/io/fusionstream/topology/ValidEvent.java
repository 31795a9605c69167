package io.fusionstream.topology;

import io.fusionstream.schema.Modality;
import org.apache.avro.specific.SpecificRecord;

/**
 * An input event that passed validation, waiting to be encoded. {@code decoded} is the decoded
 * payload while it is in memory; it is never written to state (a decoded frame is far larger than
 * its JPEG), so after a restart it is null and the encode stage decodes the event again.
 *
 * @param eventTime the event time the pipeline uses (the event's own, or its arrival time when the
 *     time policy replaced an out-of-bounds one)
 * @param source where the event was read, so a dead letter written later can name it
 */
public record ValidEvent<E extends SpecificRecord, I>(
    Modality modality, String sessionId, long eventTime, long ingestWallMs, E event, I decoded, Source source) {

  /** Topic, partition and offset of an input record; partition -1 and offset -1 when unknown. */
  public record Source(String topic, int partition, long offset) {
    public static final Source UNKNOWN = new Source("", -1, -1);

    @Override
    public String toString() {
      return topic + "-" + partition + "@" + offset;
    }
  }

  /** The same event with its decoded payload (or without: null). */
  ValidEvent<E, I> withDecoded(I payload) {
    return new ValidEvent<>(modality, sessionId, eventTime, ingestWallMs, event, payload, source);
  }
}
