package io.fusionstream.monitor;

import static io.fusionstream.monitor.TestPredictions.prediction;
import static io.fusionstream.monitor.TestPredictions.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.Modality;
import io.fusionstream.topology.PipelineMetrics;
import io.fusionstream.topology.PipelineMetrics.EmitTrigger;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds {@link FusionMetrics} with known counts, the way the pipeline calls it, and reads them back
 * over a real HTTP GET of {@code /metrics} in the Prometheus text format.
 */
class MetricsEndpointTest {

  private static final List<String> LABELS = List.of("calm", "angry", "happy");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final AtomicReference<String> streamsState = new AtomicReference<>("REBALANCING");
  private final AtomicBoolean modelsLoaded = new AtomicBoolean(false);
  private FusionMetrics metrics;
  private DashboardFeed feed;
  private HttpServer server;

  @BeforeEach
  void start() {
    metrics = new FusionMetrics();
    feed = new DashboardFeed(metrics, DashboardFeed.Settings.defaults());
    server = new HttpServer("127.0.0.1", 0, metrics, feed,
        new HealthCheck(streamsState::get, modelsLoaded::get)).start();
  }

  @AfterEach
  void stop() {
    server.close();
    feed.close();
    metrics.close();
  }

  @Test
  void everyPipelineMetricIsScrapedWithTheCountsFed() throws Exception {
    feedLikeThePipeline();

    HttpResponse<String> response = get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("text/plain; version=0.0.4"));
    PrometheusText scrape = new PrometheusText(response.body());

    assertThat(scrape.value("fusion_events_in_total", "modality", "text")).isEqualTo(7);
    assertThat(scrape.value("fusion_events_in_total", "modality", "image")).isEqualTo(5);
    assertThat(scrape.value("fusion_events_in_total", "modality", "audio")).isEqualTo(3);
    assertThat(scrape.type("fusion_events_in_total")).isEqualTo("counter");

    assertThat(scrape.value("fusion_dead_letters_total", "reason", "invalid_image")).isEqualTo(2);
    assertThat(scrape.value("fusion_dead_letters_total", "reason", "unknown_magic_byte")).isEqualTo(1);
    assertThat(scrape.value("fusion_late_events_dropped_total", "modality", "audio")).isEqualTo(1);
    assertThat(scrape.value("fusion_late_events_dropped_total", "modality", "text")).isZero();

    assertThat(scrape.value("fusion_windows_emitted_total", "trigger", "close")).isEqualTo(3);
    assertThat(scrape.value("fusion_windows_emitted_total", "trigger", "idle")).isEqualTo(1);
    assertThat(scrape.value("fusion_windows_skipped_total", "reason", "missing-required-modality")).isEqualTo(1);

    assertThat(scrape.value("fusion_batch_size_count", "stage", "encode_text")).isEqualTo(2);
    assertThat(scrape.value("fusion_batch_size_sum", "stage", "encode_text")).isEqualTo(7);
    assertThat(scrape.value("fusion_batch_size_count", "stage", "fuse")).isEqualTo(1);
    assertThat(scrape.value("fusion_batch_size_sum", "stage", "fuse")).isEqualTo(4);
    assertThat(scrape.value("fusion_batch_size_bucket", "stage", "fuse", "le", "+Inf")).isEqualTo(1);

    assertThat(scrape.value("fusion_encode_seconds_count", "modality", "text")).isEqualTo(2);
    assertThat(scrape.value("fusion_encode_seconds_sum", "modality", "text")).isCloseTo(0.05, within(1e-9));
    assertThat(scrape.value("fusion_encode_seconds_count", "modality", "image")).isEqualTo(1);
    assertThat(scrape.value("fusion_encode_seconds_count", "modality", "audio")).isZero();
    assertThat(scrape.value("fusion_batch_size_count", "stage", "encode_image")).isEqualTo(1);
    assertThat(scrape.find("fusion_batch_size_count", "stage", "encode-text")).as("label values use underscores")
        .isEmpty();
    assertThat(scrape.type("fusion_encode_seconds")).isEqualTo("histogram");
    assertThat(scrape.value("fusion_fuse_seconds_count")).isEqualTo(1);
    assertThat(scrape.value("fusion_fuse_seconds_sum")).isCloseTo(0.008, within(1e-9));

    double[] latencies = {0.1, 0.2, 0.3, 0.4};
    assertThat(scrape.value("fusion_end_to_end_latency_seconds_count")).isEqualTo(4);
    assertThat(scrape.value("fusion_end_to_end_latency_seconds_sum")).isCloseTo(1.0, within(1e-9));
    assertThat(scrape.type("fusion_end_to_end_latency_seconds")).isEqualTo("histogram");
    List<PrometheusText.Sample> buckets = scrape.find("fusion_end_to_end_latency_seconds_bucket");
    assertThat(buckets).hasSizeGreaterThan(10);
    for (PrometheusText.Sample bucket : buckets) {
      double le = Double.parseDouble(bucket.labels().get("le").replace("+Inf", "Infinity"));
      long expected = java.util.Arrays.stream(latencies).filter(v -> v <= le).count();
      assertThat(bucket.value()).as("bucket le=%s", le).isEqualTo(expected);
    }
    // Client-side quantiles come from an HDR histogram: close to the true values, not exact.
    assertThat(scrape.value("fusion_end_to_end_latency_quantile_seconds", "quantile", "0.5"))
        .isCloseTo(0.2, within(0.02));
    assertThat(scrape.value("fusion_end_to_end_latency_quantile_seconds", "quantile", "0.95"))
        .isCloseTo(0.4, within(0.03));
    assertThat(scrape.value("fusion_end_to_end_latency_quantile_seconds", "quantile", "0.99"))
        .isCloseTo(0.4, within(0.03));

    assertThat(scrape.value("fusion_predictions_total", "label", "happy")).isEqualTo(3);
    assertThat(scrape.value("fusion_predictions_total", "label", "angry")).isEqualTo(1);
    assertThat(scrape.optional("fusion_predictions_total", "label", "calm")).isEmpty();
    assertThat(scrape.value("fusion_window_modalities_present_total", "modality", "text")).isEqualTo(4);
    assertThat(scrape.value("fusion_window_modalities_present_total", "modality", "image")).isEqualTo(2);
    assertThat(scrape.value("fusion_window_modalities_present_total", "modality", "audio")).isEqualTo(1);

    assertThat(scrape.value("fusion_model_info", "version", "fusion-v2")).isEqualTo(1);
    assertThat(scrape.find("fusion_model_info")).as("the replaced version is gone").hasSize(1);
  }

  @Test
  void jvmMetricsAreBridged() throws Exception {
    metrics.bindJvm();

    PrometheusText scrape = new PrometheusText(get("/metrics").body());

    // One pool can be empty right after a collection (Eden always is), and which pools exist depends
    // on the collector the JVM picked for this machine; the heap as a whole always holds live objects.
    List<PrometheusText.Sample> heapPools = scrape.find("jvm_memory_used_bytes", "area", "heap");
    assertThat(heapPools).isNotEmpty().allSatisfy(pool -> assertThat(pool.value()).isNotNegative());
    assertThat(heapPools.stream().mapToDouble(PrometheusText.Sample::value).sum()).isPositive();
    assertThat(scrape.value("jvm_threads_live_threads")).isPositive();
    assertThat(scrape.value("system_cpu_count")).isPositive();
    assertThat(scrape.value("process_uptime_seconds")).isPositive();
    assertThat(scrape.hasFamilyStartingWith("jvm_gc_")).isTrue();
  }

  @Test
  void kafkaStreamsClientMetricsAndStateAreBridged(@TempDir Path stateDir) throws Exception {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream("in").to("out");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "metrics-bridge-test");
    // Never started: constructing the client registers its thread and consumer metrics, no broker needed.
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
    props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
    try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
      metrics.bindKafkaStreams(streams);

      PrometheusText scrape = new PrometheusText(get("/metrics").body());

      assertThat(scrape.value("fusion_streams_state", "state", "CREATED")).isEqualTo(1);
      assertThat(scrape.value("fusion_streams_state", "state", "RUNNING")).isZero();
      assertThat(scrape.find("kafka_stream_thread_commit_rate")).as(scrape.names().toString()).isNotEmpty();
      assertThat(scrape.find("kafka_stream_thread_process_rate")).as(scrape.names().toString()).isNotEmpty();
      assertThat(scrape.find("kafka_consumer_fetch_manager_records_lag_max")).as(scrape.names().toString())
          .isNotEmpty();
      assertThat(scrape.find("kafka_stream_alive_stream_threads")).as(scrape.names().toString()).isNotEmpty();
    }
  }

  @Test
  void healthIsReadyOnlyWhenStreamsRunAndModelsAreLoaded() throws Exception {
    HttpResponse<String> starting = get("/health");
    assertThat(starting.statusCode()).isEqualTo(503);
    assertThat(starting.body()).contains("\"status\":\"DOWN\"", "\"kafkaStreams\":\"REBALANCING\"",
        "\"models\":\"not_loaded\"");
    assertThat(get("/health/live").statusCode()).as("rebalancing is alive").isEqualTo(200);

    streamsState.set("RUNNING");
    assertThat(get("/health").statusCode()).as("models still loading").isEqualTo(503);

    modelsLoaded.set(true);
    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"status\":\"UP\"", "\"kafkaStreams\":\"RUNNING\"", "\"models\":\"loaded\"");
    assertThat(get("/health").statusCode()).isEqualTo(200);

    streamsState.set("ERROR");
    assertThat(get("/health").statusCode()).isEqualTo(503);
    assertThat(get("/health/live").statusCode()).isEqualTo(503);
    streamsState.set("NOT_RUNNING");
    assertThat(get("/health/live").statusCode()).as("stopped for good").isEqualTo(503);
  }

  @Test
  void dashboardAndItsAssetsAreServedFromTheJar() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js", "/static/dashboard.js");
    assertThat(get("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js").body()).contains("uPlot");
    assertThat(get("/webjars/uplot/1.6.30/dist/uPlot.min.css").statusCode()).isEqualTo(200);
    assertThat(get("/static/dashboard.js").body()).contains("EventSource");
    assertThat(get("/static/dashboard.css").statusCode()).isEqualTo(200);
  }

  @Test
  void eventsEndpointStreamsHelloThenSnapshotsAsServerSentEvents() throws Exception {
    feed.start();
    HttpResponse<java.util.stream.Stream<String>> response = HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/events"))
            .header("Accept", "text/event-stream").build(),
        HttpResponse.BodyHandlers.ofLines());
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("text/event-stream"));
    try (java.util.stream.Stream<String> lines = response.body()) {
      List<String> events = lines.filter(l -> l.startsWith("event: ") || l.startsWith("data: "))
          .limit(4).toList();
      assertThat(events.get(0)).isEqualTo("event: hello");
      assertThat(events.get(1)).startsWith("data: {\"modalities\":[\"text\",\"image\",\"audio\"]");
      assertThat(events.get(2)).isEqualTo("event: snapshot");
      assertThat(events.get(3)).startsWith("data: {\"t\":");
    }
  }

  /** The calls the pipeline makes for a handful of sessions. */
  private void feedLikeThePipeline() {
    for (int i = 0; i < 7; i++) {
      metrics.eventIn(Modality.TEXT);
    }
    for (int i = 0; i < 5; i++) {
      metrics.eventIn(Modality.IMAGE);
    }
    for (int i = 0; i < 3; i++) {
      metrics.eventIn(Modality.AUDIO);
    }
    metrics.deadLetter("invalid_image");
    metrics.deadLetter("invalid_image");
    metrics.deadLetter("unknown_magic_byte");
    metrics.lateDropped(Modality.AUDIO);

    metrics.batch(PipelineMetrics.encodeStage(Modality.TEXT), 4, Duration.ofMillis(20).toNanos());
    metrics.batch(PipelineMetrics.encodeStage(Modality.TEXT), 3, Duration.ofMillis(30).toNanos());
    metrics.batch(PipelineMetrics.encodeStage(Modality.IMAGE), 5, Duration.ofMillis(40).toNanos());

    metrics.windowEmitted(EmitTrigger.CLOSE);
    metrics.windowEmitted(EmitTrigger.CLOSE);
    metrics.windowEmitted(EmitTrigger.CLOSE);
    metrics.windowEmitted(EmitTrigger.IDLE);
    metrics.windowSkipped("missing-required-modality");
    metrics.batch(PipelineMetrics.STAGE_FUSE, 4, Duration.ofMillis(8).toNanos());

    metrics.modelVersion("fusion-v1");
    metrics.modelVersion("fusion-v2");
    List<FusedPrediction> predictions = List.of(
        prediction("s1", 0, "happy", LABELS, 0.7f, 0.9f, weights(0.5f, 0.3f, 0.2f)),
        prediction("s2", 0, "happy", LABELS, 0.6f, 1f, weights(0.6f, 0.4f, 0)),
        prediction("s3", 0, "happy", LABELS, 0.5f, 1f, weights(1f, 0, 0)),
        prediction("s4", 0, "angry", LABELS, 0.8f, 1f, weights(1f, 0, 0)));
    for (FusedPrediction p : predictions) {
      metrics.prediction(p.getLabel());
      metrics.modalitiesPresent(p.getModalitiesPresent());
    }
    for (long ms = 100; ms <= 400; ms += 100) {
      metrics.endToEndLatency(ms);
    }
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
