package io.fusionstream.chaos;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.serde.AvroSerializer;
import io.fusionstream.serde.RestSchemaRegistryClient;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the chaos test's producers need: a real Kafka producer of raw bytes (the malformed values
 * are built by hand) and the project's Avro serializer for the well-formed ones, so every record
 * is on the wire exactly as a Confluent producer would write it.
 */
final class Sender implements AutoCloseable {
  /** Larger than the largest value any kind sends (9 MiB of text). */
  static final int MAX_REQUEST_BYTES = 16 * 1024 * 1024;

  final FusionConfig config;
  private final KafkaProducer<String, byte[]> producer;
  private final AvroSerializer<SpecificRecord> avro;
  private final ChaosState state;

  Sender(String bootstrap, String registryUrl, FusionConfig config, ChaosState state) {
    this.config = config;
    this.state = state;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES);
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 4L * MAX_REQUEST_BYTES);
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    this.avro = new AvroSerializer<>(new RestSchemaRegistryClient(Map.of("schema.registry.url", registryUrl)));
  }

  ChaosState state() {
    return state;
  }

  String text() {
    return config.textTopic();
  }

  String image() {
    return config.imageTopic();
  }

  String audio() {
    return config.audioTopic();
  }

  /** The Confluent wire-format bytes the serializer writes for this event on this topic. */
  byte[] bytes(String topic, SpecificRecord event) {
    return avro.serialize(topic, event);
  }

  /** The schema id the registry gave the event's schema, read from its wire-format bytes. */
  int schemaId(String topic, SpecificRecord event) {
    return ByteBuffer.wrap(bytes(topic, event), 1, 4).getInt();
  }

  RecordMetadata raw(String topic, String key, byte[] value) throws InterruptedException, ExecutionException {
    return producer.send(new ProducerRecord<>(topic, key, value)).get();
  }

  RecordMetadata avro(String topic, String key, SpecificRecord event) throws InterruptedException, ExecutionException {
    return raw(topic, key, bytes(topic, event));
  }

  /** Sends the events in one burst (one producer batch where they fit) and waits for all of them. */
  List<RecordMetadata> burst(List<ProducerRecord<String, SpecificRecord>> events)
      throws InterruptedException, ExecutionException {
    List<Future<RecordMetadata>> futures = new ArrayList<>();
    for (ProducerRecord<String, SpecificRecord> e : events) {
      futures.add(producer.send(new ProducerRecord<>(e.topic(), e.key(), bytes(e.topic(), e.value()))));
    }
    producer.flush();
    List<RecordMetadata> out = new ArrayList<>();
    for (Future<RecordMetadata> f : futures) {
      out.add(f.get());
    }
    return out;
  }

  /** A good session: one text, one image and one audio event at the same, current, event time. */
  Kind.Sent goodSession(String session, List<RecordMetadata> bad) throws InterruptedException, ExecutionException {
    long at = System.currentTimeMillis();
    burst(List.of(
        new ProducerRecord<>(text(), session, BadInputs.text(session, at, "a calm and friendly chat, " + session)),
        new ProducerRecord<>(image(), session, BadInputs.greyImage(session, at, 16, 120)),
        new ProducerRecord<>(audio(), session, BadInputs.tone(session, at, 1_600, (short) 3_000, 16_000))));
    return new Kind.Sent(bad, at, Map.of("text", 1, "image", 1, "audio", 1), null, Double.NaN);
  }

  @Override
  public void close() {
    producer.close();
    avro.close();
  }
}
