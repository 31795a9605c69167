package io.fusionstream.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record larger than the largest one the reader accepts, refused before any of it is decoded.
 * Not Kafka's {@code RecordTooLargeException}, which is about the broker's and producer's size
 * limits.
 */
public class OversizedRecordException extends SerializationException {
  private final int size;
  private final int limit;

  public OversizedRecordException(String topic, int size, int limit) {
    super("Record of " + size + " bytes on topic " + topic + " is larger than the largest accepted record ("
        + limit + " bytes, " + AvroSerdeConfig.MAX_RECORD_BYTES + "); not decoded");
    this.size = size;
    this.limit = limit;
  }

  public int size() {
    return size;
  }

  public int limit() {
    return limit;
  }
}
