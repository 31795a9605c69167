package io.fusionstream.serde;

import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Kafka {@link Serde}s over {@link AvroSerializer} and {@link AvroDeserializer}.
 *
 * <p>Kafka Streams configures only its default serdes; a serde handed to {@code Consumed.with} or
 * {@code Produced.with} is used as it is. So, as in Confluent's kafka-streams-examples, the
 * topology passes each one through {@link #configured} with the application's settings, or
 * {@code auto.register.schemas}, {@code use.latest.version} and the subject name strategies would
 * be silently ignored by the running pipeline.
 */
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

  /**
   * Configures the serde with the given settings (Confluent's serde keys among them; the rest are
   * ignored) and returns it. A serde over a shared client keeps that client.
   */
  public static <S extends Serde<?>> S configured(S serde, Map<String, ?> settings, boolean isKey) {
    serde.configure(settings, isKey);
    return serde;
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
