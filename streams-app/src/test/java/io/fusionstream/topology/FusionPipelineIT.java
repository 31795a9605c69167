package io.fusionstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.encode.EncoderFactory;
import io.fusionstream.encode.EncoderSettings;
import io.fusionstream.encode.Encoders;
import io.fusionstream.fusion.FusionInput;
import io.fusionstream.fusion.FusionStrategy;
import io.fusionstream.fusion.FusionTrainer;
import io.fusionstream.fusion.LabeledWindow;
import io.fusionstream.fusion.ModelStore;
import io.fusionstream.fusion.ModelVersions;
import io.fusionstream.fusion.TrainOptions;
import io.fusionstream.fusion.TrainedFusion;
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
 * encoders (MiniLM text, built-in image and audio), a trained fusion model served by the model
 * store, and exactly-once: sessions in, one prediction per session window out, bad records in the
 * dead-letter topic. The model is trained for one epoch on random windows: this checks the wiring,
 * not the accuracy.
 */
@Tag("integration")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class FusionPipelineIT {
  private static final int SESSIONS = 6;
  private static final int WINDOWS_PER_SESSION = 2;
  private static final long WINDOW_MS = 5_000;

  private static final List<String> LABELS = List.of("calm", "tense");

  /** A fusion model for the real encoders' dimensions, trained briefly on random windows. */
  private static ModelStore publishTinyModel(Path root, Encoders encoders) throws java.io.IOException {
    Map<Modality, Integer> dims = Map.of(Modality.TEXT, encoders.text().dimension(),
        Modality.IMAGE, encoders.image().dimension(), Modality.AUDIO, encoders.audio().dimension());
    java.util.Random random = new java.util.Random(7);
    java.util.function.IntFunction<List<LabeledWindow>> windows = n -> java.util.stream.IntStream.range(0, n)
        .mapToObj(i -> {
          Map<Modality, float[]> pooled = new java.util.EnumMap<>(Modality.class);
          dims.forEach((m, d) -> {
            float[] v = new float[d];
            for (int j = 0; j < d; j++) {
              v[j] = (float) random.nextGaussian();
            }
            pooled.put(m, v);
          });
          return new LabeledWindow("w" + i, i % 2, new FusionInput(pooled));
        }).toList();
    TrainedFusion trained = new FusionTrainer(null).train(windows.apply(32), windows.apply(16), LABELS, dims,
        TrainOptions.defaults(FusionStrategy.ATTENTION).withEpochs(1));
    ModelVersions.publish(root, "v0001", dir -> trained.saveTo(dir, "v0001", Map.of(), Map.of()));
    return ModelStore.open(root, Duration.ZERO);
  }

  @Test
  void everySessionWindowIsPredictedExactlyOnce(@TempDir Path stateDir, @TempDir Path modelRoot) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
         EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).start();
         Encoders encoders = EncoderFactory.create(EncoderSettings.defaults().withDevice("cpu"));
         ModelStore models = publishTinyModel(modelRoot, encoders)) {
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
      RestSchemaRegistryClient client = new RestSchemaRegistryClient(Map.of("schema.registry.url", registry.url()));
      var topology = FusionTopology.builder(config, client).encoders(encoders).fusionModel(models::current)
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
          assertThat(r.value().getModelVersion()).isEqualTo("v0001");
          assertThat(LABELS).contains(r.value().getLabel());
          assertThat(r.value().getScores().keySet()).containsExactlyInAnyOrderElementsOf(LABELS);
          assertThat(r.value().getModalityWeights().keySet()).containsExactlyInAnyOrder("text", "image", "audio");
          assertThat(r.value().getModalityWeights().values().stream().mapToDouble(Float::doubleValue).sum())
              .isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-4));
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
