package io.fusionstream.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SystemLimitException;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the Confluent wire format. The writer schema is fetched by the id in the bytes and
 * resolved to the reader schema: the generated class's (when given one, or with
 * {@code specific.avro.reader=true}), else the writer's own as a GenericRecord. So records from
 * older and newer producers both read, as far as the schemas' compatibility allows.
 *
 * <p>With a maximum record size ({@link AvroSerdeConfig#MAX_RECORD_BYTES} or the constructor
 * argument) a larger value fails with {@link OversizedRecordException} before it is decoded, and
 * Avro's own length limits are lowered to that size (see {@link AvroLimits}): no length prefix in
 * a record can honestly exceed the record, so a few bytes claiming a 2 GB string fail with a
 * SerializationException instead of allocating it.
 */
public class AvroDeserializer<T> implements Deserializer<T> {
  private SchemaRegistryClient client;
  private boolean ownsClient;
  private Schema readerSchema;
  private boolean specific;
  private int maxBytes;
  private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();

  public AvroDeserializer() {}

  public AvroDeserializer(SchemaRegistryClient client) {
    this.client = client;
  }

  /**
   * Reads GenericRecords shaped by the given reader schema whatever schema they were written with,
   * as far as Avro's resolution allows: a consumer pinned to one version of a schema.
   */
  public AvroDeserializer(SchemaRegistryClient client, Schema readerSchema) {
    this.client = client;
    this.readerSchema = readerSchema;
  }

  /** Reads into the given generated class, resolving every writer schema to its schema. */
  public AvroDeserializer(SchemaRegistryClient client, Class<T> specificClass) {
    this.client = client;
    this.readerSchema = SpecificData.get().getSchema(specificClass);
    this.specific = true;
  }

  /**
   * Reads into the given generated class and refuses values over {@code maxBytes} before decoding
   * them.
   */
  public AvroDeserializer(SchemaRegistryClient client, Class<T> specificClass, int maxBytes) {
    this(client, specificClass);
    limitTo(maxBytes);
  }

  private void limitTo(int bytes) {
    if (bytes <= 0) {
      throw new ConfigException(AvroSerdeConfig.MAX_RECORD_BYTES, bytes, "must be positive");
    }
    AvroLimits.require(bytes);
    this.maxBytes = bytes;
  }

  /** The largest value this deserializer decodes, or 0 for no limit. */
  public int maxBytes() {
    return maxBytes;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    AvroSerdeConfig config = new AvroSerdeConfig(configs);
    specific = specific || config.getBoolean(AvroSerdeConfig.SPECIFIC_AVRO_READER);
    Integer limit = config.getInt(AvroSerdeConfig.MAX_RECORD_BYTES);
    if (limit != null) {
      limitTo(limit);
    }
    if (client == null) {
      client = new RestSchemaRegistryClient(config);
      ownsClient = true;
    }
  }

  @Override
  public T deserialize(String topic, byte[] bytes) {
    if (bytes == null) {
      return null; // a tombstone stays a tombstone
    }
    if (client == null) {
      throw new SerializationException("AvroDeserializer is not configured: set schema.registry.url");
    }
    if (maxBytes > 0 && bytes.length > maxBytes) {
      throw new OversizedRecordException(topic, bytes.length, maxBytes);
    }
    if (bytes.length == 0) {
      throw new SerializationException("Empty value on topic " + topic + ": expected Confluent Avro wire format");
    }
    if (bytes[0] != WireFormat.MAGIC_BYTE) {
      throw new SerializationException("Unknown magic byte " + bytes[0] + " on topic " + topic
          + ": not Confluent Avro wire format (expected 0)");
    }
    if (bytes.length < WireFormat.HEADER_SIZE) {
      throw new SerializationException("Truncated record on topic " + topic + ": " + bytes.length
          + " bytes, the header alone needs " + WireFormat.HEADER_SIZE);
    }
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    DatumReader<T> reader;
    try {
      reader = readers.computeIfAbsent(id, this::readerFor);
    } catch (SchemaRegistryException e) {
      throw new SerializationException("Error retrieving Avro schema for id " + id + " on topic " + topic
          + ": " + e.getMessage(), e);
    }
    try {
      BinaryDecoder decoder = DecoderFactory.get()
          .binaryDecoder(bytes, WireFormat.HEADER_SIZE, bytes.length - WireFormat.HEADER_SIZE, null);
      T value = reader.read(null, decoder);
      if (!decoder.isEnd()) {
        throw new SerializationException("Trailing bytes after the Avro record (schema id " + id
            + ") on topic " + topic);
      }
      return value;
    } catch (SystemLimitException | UnsupportedOperationException e) {
      // Avro's length checks: a string, bytes or collection prefix longer than the limits allow
      throw new SerializationException("Avro record with schema id " + id + " on topic " + topic
          + " declares a string, bytes or collection longer than Avro's limits allow (org.apache.avro.limits.*"
          + (maxBytes > 0 ? ", set from " + AvroSerdeConfig.MAX_RECORD_BYTES + "=" + maxBytes : "") + "): "
          + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      if (e instanceof SerializationException se) {
        throw se;
      }
      throw new SerializationException("Cannot decode Avro record with schema id " + id + " on topic " + topic
          + " (truncated or corrupt body): " + e, e);
    }
  }

  private DatumReader<T> readerFor(int id) {
    Schema writer = client.getSchemaById(id);
    if (!specific) {
      return new GenericDatumReader<>(writer, readerSchema == null ? writer : readerSchema);
    }
    if (readerSchema != null) {
      return new SpecificDatumReader<>(writer, readerSchema);
    }
    // getClass answers null for a record with no generated class; getSchema(null) would then NPE
    Class<?> generated = SpecificData.get().getClass(writer);
    if (generated == null) {
      throw new SerializationException("No generated class for " + writer.getFullName()
          + " (schema id " + id + ") on the classpath, and specific.avro.reader=true");
    }
    return new SpecificDatumReader<>(writer, SpecificData.get().getSchema(generated));
  }

  @Override
  public void close() {
    if (ownsClient && client != null) {
      try {
        client.close();
      } catch (Exception ignored) {
        // nothing buffered
      }
    }
  }
}
