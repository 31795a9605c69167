package io.fusionstream.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedKafkaIT {

  @Test
  void recordsAndTopicsSurviveARestartOnTheSameDataDirAndPort(@TempDir Path dataDir, TestInfo test) throws Exception {
    String topic = test.getTestMethod().orElseThrow().getName();
    // The first start picks a free port itself; the restart takes the same one back, as a demo
    // restarted on 9092 does (a port probed free beforehand could be taken before the broker binds).
    int port;
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dataDir).port(0).build()) {
      port = Integer.parseInt(kafka.bootstrapServers().substring("localhost:".length()));
      assertThat(kafka.createTopics(2, topic)).containsExactly(topic);
      try (KafkaProducer<String, String> producer = producer(kafka)) {
        producer.send(new ProducerRecord<>(topic, 0, "session-1", "hello")).get();
      }
      assertThat(readAll(kafka, topic)).extracting(ConsumerRecord::value).containsExactly("hello");
    }

    try (EmbeddedKafka restarted = EmbeddedKafka.builder().dataDir(dataDir).port(port).build()) {
      assertThat(restarted.bootstrapServers()).isEqualTo("localhost:" + port);
      assertThat(restarted.topicNames()).contains(topic);
      assertThat(restarted.createTopics(2, topic)).as("already there: nothing to create").isEmpty();
      List<ConsumerRecord<String, String>> records = readAll(restarted, topic);
      assertThat(records).extracting(ConsumerRecord::key).containsExactly("session-1");
      assertThat(records).extracting(ConsumerRecord::value).containsExactly("hello");
      // still writable after the restart
      try (KafkaProducer<String, String> producer = producer(restarted)) {
        producer.send(new ProducerRecord<>(topic, 0, "session-2", "again")).get();
      }
      assertThat(readAll(restarted, topic)).extracting(ConsumerRecord::value).containsExactly("hello", "again");
    }
  }

  @Test
  void transactionsAndConsumerGroupsWorkOnTheSingleNode(TestInfo test) throws Exception {
    // exactly_once_v2 and consumer groups need the internal topics with one replica: a wrong
    // default here makes them wait forever instead of failing
    String topic = test.getTestMethod().orElseThrow().getName();
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
      kafka.createTopics(1, topic);
      try (KafkaProducer<String, String> tx = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
          ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic + "-tx",
          ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000), new StringSerializer(), new StringSerializer())) {
        tx.initTransactions();
        tx.beginTransaction();
        tx.send(new ProducerRecord<>(topic, "k", "aborted"));
        tx.abortTransaction();
        tx.beginTransaction();
        tx.send(new ProducerRecord<>(topic, "k", "committed"));
        tx.commitTransaction();
      }
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
          ConsumerConfig.GROUP_ID_CONFIG, topic + "-group",
          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
          ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of(topic));
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (values.isEmpty() && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
        }
        assertThat(values).containsExactly("committed");
        consumer.commitSync();
        assertThat(consumer.committed(java.util.Set.of(new TopicPartition(topic, 0))).get(new TopicPartition(topic, 0)))
            .as("group offsets stored").isNotNull();
      }
    }
  }

  @Test
  void aTakenPortIsAClearErrorBeforeAnythingStarts(@TempDir Path dataDir) throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> EmbeddedKafka.builder().port(taken.getLocalPort()).dataDir(dataDir).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Port " + taken.getLocalPort() + " is in use");
    }
    assertThat(dataDir).isEmptyDirectory();
  }

  @Test
  void temporaryClusterDeletesItsDataOnClose() {
    Path dir;
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
      dir = kafka.dataDir();
      assertThat(dir).isDirectory();
      assertThat(kafka.bootstrapServers()).startsWith("localhost:").doesNotEndWith(":0");
    }
    assertThat(dir).doesNotExist();
  }

  private static KafkaProducer<String, String> producer(EmbeddedKafka kafka) {
    return new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
  }

  /** Everything in partition 0 up to its end offset, read without a consumer group. */
  private static List<ConsumerRecord<String, String>> readAll(EmbeddedKafka kafka, String topic) {
    TopicPartition tp = new TopicPartition(topic, 0);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringDeserializer(),
        new StringDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      List<ConsumerRecord<String, String>> out = new ArrayList<>();
      while (consumer.position(tp) < end) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      return out;
    }
  }
}
