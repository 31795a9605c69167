package io.fusionstream.monitor;

import static io.fusionstream.monitor.TestPredictions.prediction;
import static io.fusionstream.monitor.TestPredictions.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.registry.InMemorySchemaRegistryClient;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.serde.AvroSerdes;
import io.fusionstream.topology.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The dashboard follows the predictions and dead-letter topics of a real (in-process) broker. */
@Tag("integration")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DashboardTopicTailIT {

  private static final List<String> LABELS = List.of("calm", "angry");
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafka.startTemporary();
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void predictionsAndDeadLettersWrittenAfterStartReachTheFeed() throws Exception {
    String predictionsTopic = "tail-predictions";
    String dlqTopic = "tail-dlq";
    kafka.createTopics(2, predictionsTopic, dlqTopic);
    Serde<FusedPrediction> serde = AvroSerdes.specific(new InMemorySchemaRegistryClient(), FusedPrediction.class);
    Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());

    try (FusionMetrics metrics = new FusionMetrics();
        DashboardFeed feed = new DashboardFeed(metrics, DashboardFeed.Settings.defaults());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
            Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new ByteArraySerializer(), new ByteArraySerializer())) {
      send(producer, serde, predictionsTopic, prediction("before-start", 0, "calm", LABELS, 0.9f, 1f,
          weights(1f, 0, 0)));

      try (DashboardTopicTail tail = new DashboardTopicTail(client, predictionsTopic, dlqTopic,
          serde.deserializer(), feed).start()) {
        assertThat(tail.awaitAssigned(Duration.ofSeconds(60))).isTrue();

        send(producer, serde, predictionsTopic, prediction("s1", 0, "angry", LABELS, 0.7f, 0.3f,
            weights(0.5f, 0.5f, 0)));
        send(producer, serde, predictionsTopic, prediction("s2", 0, "calm", LABELS, 0.6f, 1f, weights(1f, 0, 0)));
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(dlqTopic, "k".getBytes(StandardCharsets.UTF_8),
            new byte[] {1, 2, 3});
        letter.headers().add(DeadLetters.HEADER_REASON, bytes("image-too-large"))
            .add(DeadLetters.HEADER_TOPIC, bytes("image-frames"))
            .add(DeadLetters.HEADER_PARTITION, bytes("1"))
            .add(DeadLetters.HEADER_OFFSET, bytes("42"))
            .add(DeadLetters.HEADER_MESSAGE, bytes("image of 9000000 bytes is over the limit of 4000000"));
        producer.send(letter).get();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
          feed.flush();
          assertThat(feed.latestPredictions()).extracting(PredictionView::session)
              .containsExactlyInAnyOrder("s1", "s2");
          assertThat(feed.recentDeadLetters()).hasSize(1);
        });
        PredictionView s1 = feed.latestPredictions().stream().filter(p -> p.session().equals("s1")).findFirst()
            .orElseThrow();
        assertThat(s1.label()).isEqualTo("angry");
        assertThat(s1.disagree()).isTrue();
        DeadLetterView d = feed.recentDeadLetters().get(0);
        assertThat(d).extracting(DeadLetterView::reason, DeadLetterView::topic, DeadLetterView::partition,
            DeadLetterView::offset).containsExactly("image-too-large", "image-frames", 1, 42L);
        assertThat(d.message()).contains("over the limit");
      }
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, Serde<FusedPrediction> serde, String topic,
      FusedPrediction p) throws Exception {
    producer.send(new ProducerRecord<>(topic, bytes(p.getSessionId()), serde.serializer().serialize(topic, p))).get();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
