package io.fusionstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.dev.TopicSpecs;
import io.fusionstream.registry.EmbeddedSchemaRegistry;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.ImageEncoding;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.serde.AvroSerializer;
import io.fusionstream.serde.RestSchemaRegistryClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records over Kafka's 1 MiB defaults on a real broker under exactly-once: the dead letter of an
 * undecodable ~1 MB JPEG (over 1 MiB once the error headers are added) is written and the sessions
 * after it are predicted; a valid 3 MB RAW_RGB frame (a 3 MB encode-stage changelog record) is
 * encoded and predicted. Before the sizes were derived from the input limits, both failed their
 * task on every retry.
 */
@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LargeRecordsIT {
  private static final long WINDOW_MS = 5_000;
  private static final int MIB = 1024 * 1024;

  @Test
  void largeDeadLettersAndLargeValidImagesGoThrough(@TempDir Path stateDir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
         EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).start()) {
      Map<String, Object> settings = new HashMap<>();
      settings.put(FusionConfig.WINDOW_SIZE_MS, WINDOW_MS);
      settings.put(FusionConfig.WINDOW_GRACE_MS, 1_000L);
      settings.put(FusionConfig.WINDOW_IDLE_TIMEOUT_MS, 1_000L);
      // The stack trace header (off by default) is what takes this letter past 1 MiB.
      settings.put(FusionConfig.DLQ_STACKTRACE, true);
      FusionConfig config = new FusionConfig(settings);
      kafka.createTopics(TopicSpecs.all(config, 1, (short) 1, Duration.ofHours(1).toMillis()));

      CountingPipelineMetrics metrics = new CountingPipelineMetrics();
      RestSchemaRegistryClient client = new RestSchemaRegistryClient(Map.of("schema.registry.url", registry.url()));
      var topology = FusionTopology.builder(config, client).text(FunctionEncoder.words())
          .image(FunctionEncoder.colours()).fusionModel(new MeanFusionModel()).metrics(metrics).build();
      Properties props = StreamsConfigFactory.create(config, Map.of(
          StreamsConfig.APPLICATION_ID_CONFIG, "fusion-large",
          StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
          StreamsConfig.STATE_DIR_CONFIG, stateDir.toString()), metrics);

      long base = (System.currentTimeMillis() - 60_000) / WINDOW_MS * WINDOW_MS;
      Random random = new Random(3);
      byte[] notAJpeg = new byte[1_047_000];
      random.nextBytes(notAJpeg);
      notAJpeg[0] = (byte) 0xFF;
      notAJpeg[1] = (byte) 0xD8;
      byte[] bigFrame = new byte[1000 * 1000 * 3];
      java.util.Arrays.fill(bigFrame, (byte) 90);

      try (KafkaStreams streams = new KafkaStreams(topology, props);
           KafkaProducer<String, SpecificRecord> producer = largeProducer(kafka.bootstrapServers(), registry.url())) {
        streams.start();
        // In partition order: the poison image first, then the sessions that must not be stuck behind it.
        producer.send(new ProducerRecord<>(config.imageTopic(), "poisoned",
            image("poisoned", base + 100, ImageEncoding.JPEG, 0, 0, notAJpeg))).get();
        producer.send(new ProducerRecord<>(config.imageTopic(), "big",
            image("big", base + 200, ImageEncoding.RAW_RGB, 1000, 1000, bigFrame))).get();
        producer.send(new ProducerRecord<>(config.textTopic(), "good",
            TopologyFixture.textEvent("good", base + 300, "all fine here"))).get();
        producer.send(new ProducerRecord<>(config.imageTopic(), "good",
            TopologyFixture.imageEvent("good", base + 400, 8, 30))).get();

        List<ConsumerRecord<String, FusedPrediction>> predictions;
        try (var reader = ClusterSupport.predictionReader(kafka.bootstrapServers(), registry.url())) {
          predictions = ClusterSupport.readUntil(reader, config.predictionsTopic(), Duration.ofSeconds(60),
              Duration.ofSeconds(2), r -> sessions(r).containsAll(Set.of("big", "good")));
        }
        List<ConsumerRecord<byte[], byte[]>> letters;
        try (var reader = ClusterSupport.rawReader(kafka.bootstrapServers())) {
          letters = ClusterSupport.readUntil(reader, config.dlqTopic(), Duration.ofSeconds(20), Duration.ZERO,
              r -> !r.isEmpty());
        }
        System.out.printf("large records: predictions for %s; %d dead letters of %s bytes; metrics %s%n",
            sessions(predictions), letters.size(), letters.stream().map(l -> l.serializedValueSize()).toList(),
            metrics.snapshot());

        assertThat(sessions(predictions)).containsExactlyInAnyOrder("big", "good");
        assertThat(predictions).filteredOn(p -> p.value().getSessionId().equals("big")).singleElement()
            .satisfies(p -> assertThat(p.value().getModalityEventCounts()).containsEntry("image", 1));
        assertThat(letters).singleElement().satisfies(letter -> {
          assertThat(new String(letter.headers().lastHeader(DeadLetters.HEADER_REASON).value(), StandardCharsets.UTF_8))
              .isEqualTo("image-decode-failed");
          assertThat(letter.headers().lastHeader(DeadLetters.HEADER_PAYLOAD_DROPPED)).isNull();
          assertThat(letter.value().length).isGreaterThan(notAJpeg.length);
          // The case that used to fail: the dead letter with its headers is over 1 MiB.
          long headers = 0;
          for (var h : letter.headers()) {
            headers += h.key().length() + h.value().length;
          }
          assertThat(letter.value().length + headers).isGreaterThan(MIB);
        });
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
      }
    }
  }

  private static Set<String> sessions(List<ConsumerRecord<String, FusedPrediction>> records) {
    return records.stream().map(r -> r.value().getSessionId()).collect(Collectors.toSet());
  }

  private static ImageFrameEvent image(String session, long at, ImageEncoding encoding, int width, int height, byte[] data) {
    return ImageFrameEvent.newBuilder().setSessionId(session).setEventId(UUID.randomUUID().toString())
        .setTimestamp(Instant.ofEpochMilli(at)).setEncoding(encoding).setWidth(width).setHeight(height)
        .setData(ByteBuffer.wrap(data)).build();
  }

  /** Producers, like the pipeline, need a max.request.size above the 1 MiB default for such events. */
  private static KafkaProducer<String, SpecificRecord> largeProducer(String bootstrap, String registryUrl) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * MIB);
    return new KafkaProducer<>(p, new StringSerializer(),
        new AvroSerializer<>(new RestSchemaRegistryClient(Map.of("schema.registry.url", registryUrl))));
  }
}
