package io.fusionstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.monitor.DashboardFeed;
import io.fusionstream.monitor.Monitoring;
import io.fusionstream.monitor.PrometheusText;
import io.fusionstream.registry.EmbeddedSchemaRegistry;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.serde.AvroDeserializer;
import io.fusionstream.serde.RestSchemaRegistryClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
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
 * The pipeline on an in-process broker under exactly-once, monitored the way the app monitors it:
 * {@code /metrics} is scraped while sessions flow and every count is checked against what was
 * produced and what came out, the Kafka Streams client metrics and state are there, {@code /health}
 * turns ready, and the dashboard feed receives the predictions from the output topic. Small
 * deterministic encoders keep it quick; FusionPipelineIT covers the real ones.
 */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MonitoredPipelineIT {
  private static final int SESSIONS = 4;
  private static final long WINDOW_MS = 5_000;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void scrapedMetricsMatchWhatFlowedThroughTheRunningPipeline(@TempDir Path stateDir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
         EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).start();
         Monitoring monitoring = new Monitoring(new Monitoring.Settings("127.0.0.1", 0,
             DashboardFeed.Settings.defaults()))) {
      Map<String, Object> settings = new HashMap<>();
      settings.put(FusionConfig.WINDOW_SIZE_MS, WINDOW_MS);
      // As in FusionPipelineIT: sessions from the recent past, emitted by the idle timeout once in.
      settings.put(FusionConfig.WINDOW_GRACE_MS, 15_000L);
      settings.put(FusionConfig.WINDOW_IDLE_TIMEOUT_MS, 2_000L);
      FusionConfig config = new FusionConfig(settings);
      kafka.createTopics(2, config.textTopic(), config.imageTopic(), config.audioTopic());
      kafka.createTopics(1, config.predictionsTopic(), config.dlqTopic());

      RestSchemaRegistryClient client = new RestSchemaRegistryClient(Map.of("schema.registry.url", registry.url()));
      MeanFusionModel model = new MeanFusionModel();
      var topology = FusionTopology.builder(config, client).metrics(monitoring.metrics())
          .fusionModel(model).text(FunctionEncoder.words()).image(FunctionEncoder.colours())
          .audio(FunctionEncoder.loudness(), 8_000).build();
      Properties props = StreamsConfigFactory.create(config, Map.of(
          StreamsConfig.APPLICATION_ID_CONFIG, "fusion-monitored",
          StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
          StreamsConfig.STATE_DIR_CONFIG, stateDir.toString()), monitoring.metrics());

      long base = (System.currentTimeMillis() - 120_000) / WINDOW_MS * WINDOW_MS;
      try (KafkaStreams streams = new KafkaStreams(topology, props);
           KafkaProducer<String, SpecificRecord> producer =
               ClusterSupport.producer(kafka.bootstrapServers(), registry.url())) {
        monitoring.start(streams, () -> true);
        monitoring.followTopics(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            config.predictionsTopic(), config.dlqTopic(), new AvroDeserializer<>(client, FusedPrediction.class));
        streams.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> get(monitoring, "/health").statusCode() == 200);
        assertThat(get(monitoring, "/health").body()).contains("\"kafkaStreams\":\"RUNNING\"");

        for (int s = 0; s < SESSIONS; s++) {
          String session = "session-" + s;
          long t = base + 100L * s;
          producer.send(new ProducerRecord<>(config.textTopic(), session,
              TopologyFixture.textEvent(session, t, "customer " + s + " sounds fine")));
          producer.send(new ProducerRecord<>(config.imageTopic(), session,
              TopologyFixture.imageEvent(session, t + 500, 8, 30 * s)));
          producer.send(new ProducerRecord<>(config.audioTopic(), session,
              TopologyFixture.audioEvent(session, t + 900, 800, (short) (500 * (s + 1)))));
        }
        producer.send(new ProducerRecord<>(config.textTopic(), "x", TopologyFixture.textEvent("", base, "no session")));
        producer.flush();

        List<ConsumerRecord<String, FusedPrediction>> out;
        try (var reader = ClusterSupport.predictionReader(kafka.bootstrapServers(), registry.url())) {
          out = ClusterSupport.readUntil(reader, config.predictionsTopic(), Duration.ofSeconds(90),
              Duration.ofSeconds(2), r -> r.size() >= SESSIONS);
        }
        assertThat(out).hasSize(SESSIONS);

        // Counters move as the pipeline commits; wait for the dead letter and the last prediction.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          PrometheusText s = scrape(monitoring);
          assertThat(s.value("fusion_dead_letters_total", "reason", DecodeStage.REASON_MISSING_SESSION)).isEqualTo(1);
          assertThat(sum(s, "fusion_predictions_total")).isEqualTo(SESSIONS);
        });
        PrometheusText scrape = scrape(monitoring);
        assertThat(scrape.value("fusion_events_in_total", "modality", "text")).isEqualTo(SESSIONS + 1);
        assertThat(scrape.value("fusion_events_in_total", "modality", "image")).isEqualTo(SESSIONS);
        assertThat(scrape.value("fusion_events_in_total", "modality", "audio")).isEqualTo(SESSIONS);
        assertThat(sum(scrape, "fusion_windows_emitted_total")).isEqualTo(SESSIONS);
        assertThat(scrape.value("fusion_batch_size_sum", "stage", "encode_text")).isEqualTo(SESSIONS);
        assertThat(scrape.value("fusion_batch_size_sum", "stage", "fuse")).isEqualTo(SESSIONS);
        assertThat(scrape.value("fusion_encode_seconds_count", "modality", "audio"))
            .isEqualTo(scrape.value("fusion_batch_size_count", "stage", "encode_audio"));
        assertThat(scrape.value("fusion_end_to_end_latency_seconds_count")).isEqualTo(SESSIONS);
        assertThat(scrape.value("fusion_end_to_end_latency_quantile_seconds", "quantile", "0.5")).isNotNegative();
        for (String modality : List.of("text", "image", "audio")) {
          assertThat(scrape.value("fusion_window_modalities_present_total", "modality", modality)).isEqualTo(SESSIONS);
        }
        assertThat(scrape.value("fusion_model_info", "version", model.version())).isEqualTo(1);

        assertThat(scrape.value("fusion_streams_state", "state", "RUNNING")).isEqualTo(1);
        assertThat(sum(scrape, "kafka_stream_thread_commit_total")).as("commits happened").isPositive();
        assertThat(scrape.find("kafka_stream_thread_commit_rate")).isNotEmpty();
        assertThat(scrape.find("kafka_consumer_fetch_manager_records_lag_max")).isNotEmpty()
            .allSatisfy(lag -> assertThat(lag.value()).satisfiesAnyOf(
                v -> assertThat(v).isNaN(), v -> assertThat(v).isNotNegative()));
        assertThat(scrape.value("jvm_threads_live_threads")).isPositive();

        // The dashboard got the same predictions from the output topic: a page opened now sees them.
        List<String> sessions = out.stream().map(r -> r.value().getSessionId()).toList();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          JsonNode hello = hello(monitoring);
          assertThat(hello.get("predictions").findValuesAsText("session"))
              .containsExactlyInAnyOrderElementsOf(sessions);
          assertThat(hello.get("deadLetters").findValuesAsText("reason"))
              .containsExactly(DecodeStage.REASON_MISSING_SESSION);
        });
      }
    }
  }

  /** The first event a newly opened dashboard gets from /events. */
  private static JsonNode hello(Monitoring monitoring) throws Exception {
    HttpResponse<java.util.stream.Stream<String>> response = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + monitoring.port() + "/events")).header("Accept", "text/event-stream")
        .build(), HttpResponse.BodyHandlers.ofLines());
    try (java.util.stream.Stream<String> lines = response.body()) {
      String data = lines.dropWhile(l -> !l.equals("event: hello")).filter(l -> l.startsWith("data: "))
          .findFirst().orElseThrow();
      return new ObjectMapper().readTree(data.substring("data: ".length()));
    }
  }

  private static double sum(PrometheusText scrape, String name) {
    return scrape.find(name).stream().mapToDouble(PrometheusText.Sample::value).sum();
  }

  private static PrometheusText scrape(Monitoring monitoring) throws Exception {
    HttpResponse<String> response = get(monitoring, "/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    return new PrometheusText(response.body());
  }

  private static HttpResponse<String> get(Monitoring monitoring, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + monitoring.port() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
