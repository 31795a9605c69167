package io.fusionstream.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitoring facade wires metrics, health and the page the way the app starts them. */
class MonitoringTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void startedMonitoringServesHealthMetricsAndThePageForTheStreamsClient(@TempDir Path stateDir) throws Exception {
    AtomicBoolean modelsLoaded = new AtomicBoolean(true);
    try (KafkaStreams streams = unstartedStreams(stateDir);
        Monitoring monitoring = new Monitoring(new Monitoring.Settings("127.0.0.1", 0,
            DashboardFeed.Settings.defaults()))) {
      monitoring.metrics().modelVersion("v9");
      monitoring.start(streams, modelsLoaded::get);

      HttpResponse<String> health = get(monitoring, "/health");
      assertThat(health.statusCode()).as("streams not RUNNING yet").isEqualTo(503);
      assertThat(health.body()).contains("\"kafkaStreams\":\"CREATED\"", "\"models\":\"loaded\"");
      assertThat(get(monitoring, "/health/live").statusCode()).isEqualTo(200);

      PrometheusText scrape = new PrometheusText(get(monitoring, "/metrics").body());
      assertThat(scrape.value("fusion_streams_state", "state", "CREATED")).isEqualTo(1);
      assertThat(scrape.value("fusion_model_info", "version", "v9")).isEqualTo(1);
      assertThat(scrape.value("jvm_threads_live_threads")).isPositive();
      assertThat(get(monitoring, "/").body()).contains("<title>FusionStream</title>");

      assertThatThrownBy(() -> monitoring.start(streams, modelsLoaded::get))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  private static KafkaStreams unstartedStreams(Path stateDir) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream("in").to("out");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "monitoring-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
    props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
    return new KafkaStreams(builder.build(), props);
  }

  private static HttpResponse<String> get(Monitoring monitoring, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + monitoring.port() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
