package io.fusionstream.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (generated classes or GenericRecord) in the Confluent wire format under the
 * subject its {@link SubjectNameStrategy} names ({@code <topic>-value} or {@code -key} by default).
 * With {@code auto.register.schemas} the record's
 * schema is registered; otherwise its id is looked up, or with {@code use.latest.version} the
 * record is written with the subject's latest schema.
 */
public class AvroSerializer<T> implements Serializer<T> {
  private SchemaRegistryClient client;
  private boolean ownsClient;
  private boolean isKey;
  private boolean autoRegister = true;
  private boolean useLatest;
  private SubjectNameStrategy subjects = SubjectNameStrategy.TOPIC;

  /** Configured by Kafka: builds its own registry client from {@code schema.registry.url}. */
  public AvroSerializer() {}

  /** With a client shared by the caller, who closes it. */
  public AvroSerializer(SchemaRegistryClient client) {
    this.client = client;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    AvroSerdeConfig config = new AvroSerdeConfig(configs);
    this.isKey = isKey;
    this.autoRegister = config.getBoolean(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS);
    this.useLatest = config.getBoolean(AvroSerdeConfig.USE_LATEST_VERSION);
    this.subjects = config.subjectNameStrategy(isKey);
    if (client == null) {
      client = new RestSchemaRegistryClient(config);
      ownsClient = true;
    }
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    if (client == null) {
      throw new SerializationException("AvroSerializer is not configured: set schema.registry.url");
    }
    if (!(data instanceof GenericContainer container)) {
      throw new SerializationException("Cannot serialize " + data.getClass().getName()
          + " as Avro: expected a generated record class or a GenericRecord");
    }
    Schema schema = container.getSchema();
    String subject;
    try {
      subject = subjects.subject(topic, isKey, schema);
    } catch (IllegalArgumentException e) {
      throw new SerializationException(e.getMessage() + " (topic " + topic + ")", e);
    }
    try {
      int id;
      Object datum = data;
      if (autoRegister) {
        id = client.register(subject, schema);
      } else if (useLatest) {
        SchemaVersion latest = client.getLatestVersion(subject);
        id = latest.id();
        if (!latest.schema().equals(schema)) {
          datum = convert(data, schema, latest.schema());
          schema = latest.schema();
        }
      } else {
        id = client.getId(subject, schema);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      out.write(WireFormat.MAGIC_BYTE);
      out.write(ByteBuffer.allocate(4).putInt(id).array());
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      writer(datum, schema).write(datum, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (SchemaRegistryException e) {
      throw new SerializationException("Cannot get a schema id for subject " + subject + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("Cannot serialize a " + schema.getFullName() + " for topic " + topic
          + ": " + e.getMessage(), e);
    }
  }

  /** Writers are thread-safe and costly to build (they walk the schema): one per schema and kind. */
  private final Map<Schema, DatumWriter<Object>> specificWriters = new ConcurrentHashMap<>();
  private final Map<Schema, DatumWriter<Object>> genericWriters = new ConcurrentHashMap<>();

  @SuppressWarnings("unchecked")
  private DatumWriter<Object> writer(Object datum, Schema schema) {
    return datum instanceof SpecificRecord
        ? specificWriters.computeIfAbsent(schema, s -> (DatumWriter<Object>) (DatumWriter<?>) new SpecificDatumWriter<>(s))
        : genericWriters.computeIfAbsent(schema, GenericDatumWriter::new);
  }

  /** Re-reads the record as the latest schema would, so the bytes match the id written. */
  private Object convert(Object datum, Schema own, Schema latest) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(buf, null);
    writer(datum, own).write(datum, enc);
    enc.flush();
    return new GenericDatumReader<Object>(own, latest, GenericData.get())
        .read(null, DecoderFactory.get().binaryDecoder(buf.toByteArray(), null));
  }

  @Override
  public void close() {
    if (ownsClient && client != null) {
      try {
        client.close();
      } catch (Exception ignored) {
        // closing an HTTP client cannot lose data
      }
    }
  }
}
