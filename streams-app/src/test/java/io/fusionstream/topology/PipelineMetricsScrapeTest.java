package io.fusionstream.topology;

import static io.fusionstream.topology.TopologyFixture.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.monitor.DashboardFeed;
import io.fusionstream.monitor.FusionMetrics;
import io.fusionstream.monitor.HealthCheck;
import io.fusionstream.monitor.HttpServer;
import io.fusionstream.monitor.PrometheusText;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.Modality;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Sessions flow through the real topology (TopologyTestDriver) with the Prometheus metrics as its
 * {@link PipelineMetrics}; {@code /metrics} is scraped over HTTP as they flow, and every count is
 * checked against what was produced and what came out.
 */
class PipelineMetricsScrapeTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void scrapedCountsMatchWhatFlowedThroughThePipeline() throws Exception {
    try (FusionMetrics metrics = new FusionMetrics();
        DashboardFeed feed = new DashboardFeed(metrics, DashboardFeed.Settings.defaults());
        TopologyFixture f = new TopologyFixture(Map.of(), metrics);
        HttpServer server = new HttpServer("127.0.0.1", 0, metrics, feed,
            new HealthCheck(() -> "RUNNING", () -> true)).start()) {
      f.sendText("s1", T + 1_000, "good call today");
      f.sendImage("s1", T + 2_000, 10, 200);
      f.sendAudio("s1", T + 3_000, 800, (short) 1000);
      f.sendText("s1", T + 4_000, "really good");
      f.sendText("s2", T + 1_500, "only words");
      f.sendImage("s3", T + 2_500, 6, 40);
      f.sendAudio("s3", T + 3_500, 400, (short) 200);
      f.sendText("s4", T + 1_800, "   "); // read, then rejected: a dead letter
      // Each session's own time passes its first window's end + grace (other sessions' never would).
      f.sendText("s1", T + 12_500, "next window");
      f.sendText("s2", T + 12_600, "next window");
      f.sendText("s3", T + 12_700, "next window");
      f.settle();

      List<FusedPrediction> out = new ArrayList<>(f.readPredictions());
      PrometheusText midway = scrape(server);
      assertThat(out).extracting(FusedPrediction::getSessionId).containsExactlyInAnyOrder("s1", "s2", "s3");
      assertThat(midway.value("fusion_windows_emitted_total", "trigger", "close")).isEqualTo(3);
      assertThat(midway.value("fusion_windows_emitted_total", "trigger", "idle")).isZero();
      assertThat(sum(midway, "fusion_predictions_total")).isEqualTo(3);

      f.sendText("s1", T + 2_000, "after its window closed");
      // The second windows [T+10s, T+20s) close on the wall clock: end + grace + idle timeout.
      f.advanceWallClockTo(T + 27_000);
      f.settle();
      out.addAll(f.readPredictions());
      List<TestRecord<byte[], byte[]>> deadLetters = f.dlq.readRecordsToList();

      PrometheusText scrape = scrape(server);
      assertThat(out).hasSize(6);
      // Counted as read, before validation: the blank text is one of them.
      assertThat(scrape.value("fusion_events_in_total", "modality", "text")).isEqualTo(8);
      assertThat(scrape.value("fusion_events_in_total", "modality", "image")).isEqualTo(2);
      assertThat(scrape.value("fusion_events_in_total", "modality", "audio")).isEqualTo(2);
      assertThat(scrape.value("fusion_late_events_dropped_total", "modality", "text")).isEqualTo(1);
      assertThat(scrape.value("fusion_late_events_dropped_total", "modality", "image")).isZero();
      assertThat(scrape.value("fusion_windows_emitted_total", "trigger", "close")).isEqualTo(3);
      assertThat(scrape.value("fusion_windows_emitted_total", "trigger", "idle")).isEqualTo(3);
      assertThat(scrape.find("fusion_windows_skipped_total")).isEmpty();

      assertThat(deadLetters).hasSize(1);
      String reason = new String(deadLetters.get(0).headers().lastHeader(DeadLetters.HEADER_REASON).value(),
          StandardCharsets.UTF_8);
      assertThat(reason).isEqualTo(io.fusionstream.decode.Reasons.EMPTY_DATA);
      assertThat(scrape.value("fusion_dead_letters_total", "reason", reason)).isEqualTo(1);
      assertThat(sum(scrape, "fusion_dead_letters_total")).isEqualTo(deadLetters.size());

      // Every valid event is encoded once (the late one too: encoding comes before the window).
      assertThat(scrape.value("fusion_batch_size_sum", "stage", "encode_text")).isEqualTo(7);
      assertThat(scrape.value("fusion_batch_size_sum", "stage", "encode_image")).isEqualTo(2);
      assertThat(scrape.value("fusion_batch_size_sum", "stage", "encode_audio")).isEqualTo(2);
      assertThat(scrape.value("fusion_batch_size_sum", "stage", "fuse")).isEqualTo(6);
      for (Modality m : Modality.values()) {
        String name = m.name().toLowerCase(java.util.Locale.ROOT);
        assertThat(scrape.value("fusion_encode_seconds_count", "modality", name)).as(name)
            .isEqualTo(scrape.value("fusion_batch_size_count", "stage", "encode_" + name)).isPositive();
      }
      assertThat(scrape.value("fusion_fuse_seconds_count"))
          .isEqualTo(scrape.value("fusion_batch_size_count", "stage", "fuse"));

      assertThat(scrape.value("fusion_end_to_end_latency_seconds_count")).isEqualTo(out.size());
      assertThat(scrape.value("fusion_end_to_end_latency_seconds_bucket", "le", "+Inf")).isEqualTo(out.size());
      assertThat(scrape.value("fusion_end_to_end_latency_quantile_seconds", "quantile", "0.99")).isNotNegative();

      Map<String, Double> labels = new TreeMap<>();
      Map<String, Double> present = new TreeMap<>();
      for (FusedPrediction p : out) {
        labels.merge(p.getLabel(), 1.0, Double::sum);
        p.getModalitiesPresent().forEach(m -> present.merge(m.name().toLowerCase(java.util.Locale.ROOT), 1.0,
            Double::sum));
      }
      labels.forEach((label, n) -> assertThat(scrape.value("fusion_predictions_total", "label", label)).isEqualTo(n));
      assertThat(sum(scrape, "fusion_predictions_total")).isEqualTo(out.size());
      assertThat(present).containsEntry("text", 5.0).containsEntry("image", 2.0).containsEntry("audio", 2.0);
      present.forEach((m, n) -> assertThat(scrape.value("fusion_window_modalities_present_total", "modality", m))
          .isEqualTo(n));

      // Reported by the fuse stage itself, with the version written into the predictions.
      assertThat(scrape.value("fusion_model_info", "version", out.get(0).getModelVersion())).isEqualTo(1);
      assertThat(scrape.find("fusion_model_info")).hasSize(1);
    }
  }

  private static double sum(PrometheusText scrape, String name) {
    return scrape.find(name).stream().mapToDouble(PrometheusText.Sample::value).sum();
  }

  private static PrometheusText scrape(HttpServer server) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return new PrometheusText(response.body());
  }
}
