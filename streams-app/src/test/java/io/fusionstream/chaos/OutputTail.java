package io.fusionstream.chaos;

import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.serde.AvroDeserializer;
import io.fusionstream.serde.RestSchemaRegistryClient;
import io.fusionstream.topology.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the predictions and the dead letters, read committed, from the beginning, in the
 * background for the whole test, and notes when each arrived.
 */
final class OutputTail implements AutoCloseable {
  record Prediction(FusedPrediction value, long arrivedMs) {}

  /** A dead letter without its value (it may be megabytes), with its headers as text. */
  record Letter(String key, int valueBytes, String reason, String topic, String partition, String offset,
      String message, long arrivedMs) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final AvroDeserializer<FusedPrediction> avro;
  private final String predictionsTopic;
  private final List<Prediction> predictions = new CopyOnWriteArrayList<>();
  private final List<Letter> letters = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Throwable failure;

  OutputTail(String bootstrap, String registryUrl, String predictionsTopic, String dlqTopic) {
    this.predictionsTopic = predictionsTopic;
    this.consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.avro = new AvroDeserializer<>(new RestSchemaRegistryClient(Map.of("schema.registry.url", registryUrl)),
        FusedPrediction.class);
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(predictionsTopic, dlqTopic)) {
      consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    thread = new Thread(this::run, "chaos-output-tail");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          long now = System.currentTimeMillis();
          if (r.topic().equals(predictionsTopic)) {
            predictions.add(new Prediction(avro.deserialize(r.topic(), r.value()), now));
          } else {
            letters.add(new Letter(r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
                r.value() == null ? -1 : r.value().length, header(r, DeadLetters.HEADER_REASON),
                header(r, DeadLetters.HEADER_TOPIC), header(r, DeadLetters.HEADER_PARTITION),
                header(r, DeadLetters.HEADER_OFFSET), header(r, DeadLetters.HEADER_MESSAGE), now));
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  private static String header(ConsumerRecord<?, ?> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  List<Prediction> predictions() {
    check();
    return predictions;
  }

  List<Prediction> predictionsOf(String session) {
    return predictions().stream().filter(p -> p.value().getSessionId().equals(session)).toList();
  }

  List<Letter> letters() {
    check();
    return letters;
  }

  private void check() {
    if (failure != null) {
      throw new IllegalStateException("reading the output topics failed", failure);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join(10_000);
    consumer.close();
    avro.close();
  }
}
