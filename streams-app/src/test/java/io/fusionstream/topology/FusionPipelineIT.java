package io.fusionstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.encode.EncoderFactory;
import io.fusionstream.encode.EncoderSettings;
import io.fusionstream.encode.Encoders;
import io.fusionstream.registry.EmbeddedSchemaRegistry;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.Modality;
import io.fusionstream.serde.RestSchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on an in-process KRaft broker with the HTTP schema registry, the Avro serde, the real
 * encoders (MiniLM text, built-in image and audio) and exactly-once: sessions in, one prediction
 * per session window out, bad records in the dead-letter topic. The fusion model is the
 * deterministic test model until the trained one can be loaded here.
 */
@Tag("integration")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class FusionPipelineIT {
  private static final int SESSIONS = 6;
  private static final int WINDOWS_PER_SESSION = 2;
  private static final long WINDOW_MS = 5_000;

  @Test
  void everySessionWindowIsPredictedExactlyOnce(@TempDir Path stateDir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
         EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).start();
         Encoders encoders = EncoderFactory.create(EncoderSettings.defaults().withDevice("cpu"))) {
      Map<String, Object> settings = new HashMap<>();
      settings.put(FusionConfig.WINDOW_SIZE_MS, WINDOW_MS);
      // All sessions are produced at once, so the two input tasks may run several seconds of event
      // time apart before the window stage; the grace covers that skew, the idle timeout then emits.
      settings.put(FusionConfig.WINDOW_GRACE_MS, 15_000L);
      settings.put(FusionConfig.WINDOW_IDLE_TIMEOUT_MS, 2_000L);
      settings.put(FusionConfig.MAX_BATCH_SIZE, 16);
      FusionConfig config = new FusionConfig(settings);
      kafka.createTopics(2, config.textTopic(), config.imageTopic(), config.audioTopic());
      kafka.createTopics(1, config.predictionsTopic(), config.dlqTopic());

      CountingPipelineMetrics metrics = new CountingPipelineMetrics();
      MeanFusionModel model = new MeanFusionModel();
      RestSchemaRegistryClient client = new RestSchemaRegistryClient(Map.of("schema.registry.url", registry.url()));
      var topology = FusionTopology.builder(config, client).encoders(encoders).fusionModel(model)
          .metrics(metrics).build();
      Properties props = StreamsConfigFactory.create(config, Map.of(
          StreamsConfig.APPLICATION_ID_CONFIG, "fusion-e2e",
          StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
          StreamsConfig.STATE_DIR_CONFIG, stateDir.toString()), metrics);

      // Sessions from the recent past: each window is emitted by the idle timeout once its events are in.
      long base = (System.currentTimeMillis() - 120_000) / WINDOW_MS * WINDOW_MS;
      Map<String, Set<Long>> expected = new TreeMap<>();
      try (KafkaStreams streams = new KafkaStreams(topology, props);
           KafkaProducer<String, SpecificRecord> producer = ClusterSupport.producer(kafka.bootstrapServers(), registry.url())) {
        streams.start();
        for (int s = 0; s < SESSIONS; s++) {
          String session = "session-" + s;
          for (int w = 0; w < WINDOWS_PER_SESSION; w++) {
            long t = base + w * WINDOW_MS + 100L * s;
            producer.send(new ProducerRecord<>(config.textTopic(), session,
                TopologyFixture.textEvent(session, t, "customer " + s + " sounds " + (w == 0 ? "happy" : "upset"))));
            producer.send(new ProducerRecord<>(config.imageTopic(), session,
                TopologyFixture.imageEvent(session, t + 500, 32, 40 * s + w)));
            producer.send(new ProducerRecord<>(config.audioTopic(), session,
                TopologyFixture.audioEvent(session, t + 900, 4_000, (short) (1000 * (s + 1)))));
            expected.computeIfAbsent(session, k -> new java.util.TreeSet<>()).add(base + w * WINDOW_MS);
          }
        }
        // Two poison records: bytes that are not Avro, and a valid event without a session id.
        try (var raw = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
          raw.send(new ProducerRecord<>(config.textTopic(), "bad".getBytes(StandardCharsets.UTF_8), new byte[] {9, 9, 9})).get();
        }
        producer.send(new ProducerRecord<>(config.textTopic(), "x", TopologyFixture.textEvent("", base, "no session")));
        producer.flush();

        int total = SESSIONS * WINDOWS_PER_SESSION;
        List<ConsumerRecord<String, FusedPrediction>> out;
        try (var reader = ClusterSupport.predictionReader(kafka.bootstrapServers(), registry.url())) {
          out = ClusterSupport.readUntil(reader, config.predictionsTopic(), Duration.ofSeconds(150),
              Duration.ofSeconds(4), r -> r.size() >= total);
        }
        List<ConsumerRecord<byte[], byte[]>> letters;
        try (var reader = ClusterSupport.rawReader(kafka.bootstrapServers())) {
          letters = ClusterSupport.readUntil(reader, config.dlqTopic(), Duration.ofSeconds(20), Duration.ZERO,
              r -> r.size() >= 2);
        }
        Map<String, List<Long>> got = out.stream().collect(Collectors.groupingBy(r -> r.value().getSessionId(),
            TreeMap::new, Collectors.mapping(r -> r.value().getWindowStart().toEpochMilli(), Collectors.toList())));
        System.out.printf("e2e: %d predictions for %d expected session windows; %d dead letters; metrics %s%n",
            out.size(), total, letters.size(), metrics.snapshot());
        assertThat(out).hasSize(total);
        expected.forEach((session, windows) ->
            assertThat(got.get(session)).as(session).containsExactlyInAnyOrderElementsOf(windows));
        assertThat(out).allSatisfy(r -> {
          assertThat(r.value().getModalitiesPresent()).containsExactly(Modality.TEXT, Modality.IMAGE, Modality.AUDIO);
          assertThat(r.value().getModalityEventCounts()).containsExactlyInAnyOrderEntriesOf(
              Map.of("text", 1, "image", 1, "audio", 1));
        });
        assertThat(letters).extracting(r -> new String(r.headers().lastHeader(DeadLetters.HEADER_REASON).value(),
                StandardCharsets.UTF_8))
            .containsExactlyInAnyOrder(FusionDeserializationExceptionHandler.REASON_UNDECODABLE,
                DecodeStage.REASON_MISSING_SESSION);
        assertThat(letters).filteredOn(r -> r.value().length == 3).singleElement()
            .satisfies(r -> assertThat(r.value()).containsExactly(9, 9, 9));
        assertThat(encoders.text().dimension()).isEqualTo(384);
      }
    }
  }
}
