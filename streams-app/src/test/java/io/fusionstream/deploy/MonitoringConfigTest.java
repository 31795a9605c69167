package io.fusionstream.deploy;

import static io.fusionstream.deploy.DeployFiles.listAt;
import static io.fusionstream.deploy.DeployFiles.mapAt;
import static io.fusionstream.deploy.DeployFiles.mapsAt;
import static io.fusionstream.deploy.DeployFiles.stringAt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Prometheus scrapes the application where compose runs it, Grafana finds Prometheus and the
 * dashboard where compose mounts them, and every dashboard query reads a metric the application
 * publishes (so that a renamed metric or a typo shows up here rather than as an empty panel).
 */
class MonitoringConfigTest {

  /** Metric names of the monitor package (Micrometer, Prometheus naming). */
  private static final Set<String> APP_METRICS = Set.of(
      "fusion_events_in_total",
      "fusion_dead_letters_total",
      "fusion_late_events_dropped_total",
      "fusion_windows_emitted_total",
      "fusion_windows_skipped_total",
      "fusion_batch_size",
      "fusion_encode_seconds",
      "fusion_fuse_seconds",
      "fusion_end_to_end_latency_seconds",
      "fusion_window_modalities_present_total",
      "fusion_predictions_total",
      "fusion_model_info",
      "fusion_input_lag_records",
      "fusion_restore_records_remaining",
      "fusion_restore_records_total");
  /** Series Prometheus derives from a histogram, summary or timer. */
  private static final List<String> DISTRIBUTION_SUFFIXES = List.of("_bucket", "_sum", "_count", "_max");
  /** Bound by Micrometer's Kafka Streams client metrics and JVM binders. */
  private static final List<String> CLIENT_PREFIXES = List.of("kafka_stream_", "kafka_consumer_", "kafka_producer_", "kafka_admin_", "jvm_");

  private static final Path DASHBOARD = DeployFiles.file("deploy/grafana/dashboards/fusionstream.json");

  private static boolean isPublished(String metric) {
    if (APP_METRICS.contains(metric) || CLIENT_PREFIXES.stream().anyMatch(metric::startsWith)) {
      return true;
    }
    return DISTRIBUTION_SUFFIXES.stream().anyMatch(suffix -> metric.endsWith(suffix)
        && APP_METRICS.contains(metric.substring(0, metric.length() - suffix.length())));
  }

  private static JsonNode dashboard() {
    try {
      return new ObjectMapper().readTree(DASHBOARD.toFile());
    } catch (IOException e) {
      throw new AssertionError("dashboard JSON does not parse: " + DASHBOARD, e);
    }
  }

  private static List<JsonNode> queryPanels() {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard().path("panels")) {
      if (!"row".equals(panel.path("type").asText())) {
        panels.add(panel);
      }
    }
    return panels;
  }

  private static Map<String, Object> composeService(String name) {
    return mapAt(mapAt(DeployFiles.yamlMap(DeployFiles.file("docker-compose.yml")), "services"), name);
  }

  @Test
  void prometheusScrapesTheApplicationMetricsEndpoint() {
    Map<String, Object> config = DeployFiles.yamlMap(DeployFiles.file("deploy/prometheus.yml"));
    Map<String, Object> job = mapsAt(config, "scrape_configs").stream()
        .filter(j -> "fusionstream".equals(j.get("job_name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no fusionstream scrape job"));
    assertThat(job.get("metrics_path")).isEqualTo("/metrics");
    List<Object> targets = listAt(mapsAt(job, "static_configs").get(0), "targets");
    assertThat(targets).containsExactly("fusionstream:8080");
    assertThat(listAt(composeService("fusionstream"), "ports")).anySatisfy(p -> assertThat(String.valueOf(p)).endsWith(":8080"));
    assertThat(listAt(composeService("prometheus"), "volumes"))
        .contains("./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
  }

  @Test
  void grafanaProvisioningPointsAtPrometheusAndAtTheMountedDashboards() {
    Map<String, Object> datasources = DeployFiles.yamlMap(DeployFiles.file("deploy/grafana/provisioning/datasources/prometheus.yml"));
    Map<String, Object> prometheus = mapsAt(datasources, "datasources").get(0);
    assertThat(prometheus.get("type")).isEqualTo("prometheus");
    assertThat(prometheus.get("url")).isEqualTo("http://prometheus:9090");
    assertThat(listAt(composeService("prometheus"), "ports")).contains("127.0.0.1:9090:9090");

    Map<String, Object> providers = DeployFiles.yamlMap(DeployFiles.file("deploy/grafana/provisioning/dashboards/fusionstream.yml"));
    String path = stringAt(mapsAt(providers, "providers").get(0), "options.path");
    List<Object> grafanaVolumes = listAt(composeService("grafana"), "volumes");
    assertThat(grafanaVolumes).contains("./deploy/grafana/dashboards:" + path + ":ro");
    assertThat(grafanaVolumes).contains("./deploy/grafana/provisioning:/etc/grafana/provisioning:ro");
    assertThat(stringAt(composeService("grafana"), "environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"))
        .isEqualTo(path + "/" + DASHBOARD.getFileName());
  }

  @Test
  void everyPanelQueriesOnlyPublishedMetrics() {
    List<JsonNode> panels = queryPanels();
    assertThat(panels).hasSizeGreaterThanOrEqualTo(10);
    Set<String> used = new HashSet<>();
    for (JsonNode panel : panels) {
      String title = panel.path("title").asText();
      JsonNode targets = panel.path("targets");
      assertThat(targets.size()).as("queries of panel %s", title).isPositive();
      for (JsonNode target : targets) {
        String expr = target.path("expr").asText();
        Set<String> metrics = PromQlMetricNames.in(expr);
        assertThat(metrics).as("metrics of panel %s: %s", title, expr).isNotEmpty();
        assertThat(metrics).as("panel %s reads an unknown metric: %s", title, expr).allMatch(MonitoringConfigTest::isPublished);
        if (expr.contains("histogram_quantile")) {
          assertThat(metrics).as("histogram_quantile in %s needs _bucket series", title).allMatch(m -> m.endsWith("_bucket"));
          assertThat(expr).as("histogram_quantile in %s must keep le", title).containsPattern("by \\([^)]*\\ble\\b");
        }
        if (expr.contains("rate(")) {
          assertThat(expr).as("rate() in %s", title).contains("[");
        }
        used.addAll(metrics);
      }
    }
    assertThat(used).as("the dashboard covers input, output, errors, latency and lag")
        .contains("fusion_events_in_total", "fusion_predictions_total", "fusion_dead_letters_total",
            "fusion_end_to_end_latency_seconds_bucket", "fusion_encode_seconds_bucket",
            "kafka_consumer_fetch_manager_records_lag_max", "fusion_input_lag_records");
  }

  @Test
  void panelsUseTheDatasourceVariableAndHaveUniqueIdsAndPlaces() {
    JsonNode dashboard = dashboard();
    assertThat(dashboard.path("uid").asText()).isEqualTo("fusionstream");
    Set<String> variables = new HashSet<>();
    dashboard.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
    assertThat(variables).contains("datasource", "instance");

    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      assertThat(ids.add(panel.path("id").asInt())).as("panel id %s is unique", panel.path("id")).isTrue();
      JsonNode grid = panel.path("gridPos");
      assertThat(grid.path("w").asInt()).isBetween(1, 24);
      assertThat(grid.path("x").asInt() + grid.path("w").asInt()).isLessThanOrEqualTo(24);
    }
    for (JsonNode panel : queryPanels()) {
      assertThat(panel.path("datasource").path("uid").asText()).as("datasource of %s", panel.path("title")).isEqualTo("${datasource}");
      for (JsonNode target : panel.path("targets")) {
        assertThat(target.path("expr").asText()).as("instance filter in %s", panel.path("title")).contains("instance=~\"$instance\"");
      }
    }
  }
}
