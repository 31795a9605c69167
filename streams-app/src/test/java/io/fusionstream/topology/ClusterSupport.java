package io.fusionstream.topology;

import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.serde.AvroDeserializer;
import io.fusionstream.serde.AvroSerializer;
import io.fusionstream.serde.RestSchemaRegistryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Clients for the cluster tests: an Avro producer and read-committed readers of the outputs. */
final class ClusterSupport {
  private ClusterSupport() {}

  static KafkaProducer<String, SpecificRecord> producer(String bootstrap, String registryUrl) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(p, new StringSerializer(),
        new AvroSerializer<>(new RestSchemaRegistryClient(Map.of("schema.registry.url", registryUrl))));
  }

  static KafkaConsumer<String, FusedPrediction> predictionReader(String bootstrap, String registryUrl) {
    return new KafkaConsumer<>(readerProps(bootstrap), new StringDeserializer(),
        new AvroDeserializer<>(new RestSchemaRegistryClient(Map.of("schema.registry.url", registryUrl)),
            FusedPrediction.class));
  }

  static KafkaConsumer<byte[], byte[]> rawReader(String bootstrap) {
    return new KafkaConsumer<>(readerProps(bootstrap), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static Properties readerProps(String bootstrap) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return c;
  }

  /** Polls until {@code done} holds, then keeps polling {@code settle} longer to catch extras. */
  static <K, V> List<ConsumerRecord<K, V>> readUntil(KafkaConsumer<K, V> consumer, String topic,
      Duration timeout, Duration settle, java.util.function.Predicate<List<ConsumerRecord<K, V>>> done) {
    List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
        .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    List<ConsumerRecord<K, V>> out = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    long settleUntil = Long.MAX_VALUE;
    while (System.nanoTime() < Math.min(deadline, settleUntil)) {
      consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      if (settleUntil == Long.MAX_VALUE && done.test(out)) {
        settleUntil = System.nanoTime() + settle.toNanos();
      }
    }
    return out;
  }

  static void waitFor(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }
}
