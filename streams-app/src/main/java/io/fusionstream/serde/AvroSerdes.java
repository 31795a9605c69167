package io.fusionstream.serde;

import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Kafka {@link Serde}s over {@link AvroSerializer} and {@link AvroDeserializer}. */
public final class AvroSerdes {
  private AvroSerdes() {}

  /** For a generated class, sharing the caller's registry client. */
  public static <T extends SpecificRecord> Serde<T> specific(SchemaRegistryClient client, Class<T> type) {
    return Serdes.serdeFrom(new AvroSerializer<>(client), new AvroDeserializer<>(client, type));
  }

  /**
   * For a generated class, sharing the caller's registry client; values over {@code maxBytes} are
   * refused before decoding ({@link OversizedRecordException}).
   */
  public static <T extends SpecificRecord> Serde<T> specific(SchemaRegistryClient client, Class<T> type,
      int maxBytes) {
    return Serdes.serdeFrom(new AvroSerializer<>(client), new AvroDeserializer<>(client, type, maxBytes));
  }

  /** For GenericRecord, sharing the caller's registry client. */
  public static Serde<GenericRecord> generic(SchemaRegistryClient client) {
    return Serdes.serdeFrom(new AvroSerializer<>(client), new AvroDeserializer<>(client));
  }

  /** Configured later by Kafka from {@code schema.registry.url} and friends. */
  public static Serde<GenericRecord> generic() {
    return Serdes.serdeFrom(new AvroSerializer<>(), new AvroDeserializer<>());
  }
}
