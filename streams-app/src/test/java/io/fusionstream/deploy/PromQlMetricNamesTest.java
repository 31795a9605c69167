package io.fusionstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The PromQL reader that checks the Grafana dashboard finds metrics and nothing else. */
class PromQlMetricNamesTest {

  @Test
  void findsTheMetricInsideFunctionsAggregationsAndSelectors() {
    assertThat(PromQlMetricNames.in(
        "histogram_quantile(0.95, sum by (le, modality) (rate(fusion_encode_seconds_bucket{instance=~\"$instance\", modality!=\"text\"}[$__rate_interval])))"))
        .containsExactly("fusion_encode_seconds_bucket");
  }

  @Test
  void findsBothSidesOfBinaryOperationsAndIgnoresModifiers() {
    assertThat(PromQlMetricNames.in(
        "sum by (stage) (rate(fusion_batch_size_sum[1m])) / ignoring(stage) group_left sum(rate(fusion_batch_size_count[1m])) > bool 0"))
        .containsExactly("fusion_batch_size_sum", "fusion_batch_size_count");
    assertThat(PromQlMetricNames.in("sum(rate(a_total[5m])) by (le) and on(instance) b offset 5m"))
        .containsExactly("a_total", "b");
  }

  @Test
  void ignoresLabelValuesNumbersAndGrafanaVariables() {
    assertThat(PromQlMetricNames.in("max(jvm_memory_used_bytes{area=\"heap\", id=~\"G1.*\"}) * 1e-3 + ${offset}"))
        .containsExactly("jvm_memory_used_bytes");
  }

  @Test
  void anExpressionWithATypoYieldsTheTypo() {
    assertThat(PromQlMetricNames.in("rate(fusion_event_in_total[1m])")).containsExactly("fusion_event_in_total");
  }
}
