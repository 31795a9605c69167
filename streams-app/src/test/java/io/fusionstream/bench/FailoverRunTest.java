package io.fusionstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.config.FusionConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailoverRunTest {
  private static final FailoverRun.Environment ENV = new FailoverRun.Environment("localhost:9092",
      "http://localhost:8081", Path.of("/models"), Path.of("/work"), 6, List.of("java"));
  private static final FailoverRun.Plan PLAN = new FailoverRun.Plan(24, 500, 2_000, Duration.ofSeconds(15),
      Duration.ofSeconds(240));

  @Test
  void instancesGetTheMeasuredStandbysAndATimeoutTheBrokerAccepts() {
    Map<String, String> s = FailoverRun.settings(ENV, "f1", 1, 10_000, PLAN);

    assertThat(s).containsEntry("num.standby.replicas", "1").containsEntry("session.timeout.ms", "10000")
        .containsEntry(FusionConfig.WINDOW_SIZE_MS, "2000").containsEntry(FusionConfig.TOPIC_PREFIX, "f1-");
    // The consumer refuses a heartbeat interval not below the session timeout.
    assertThat(Long.parseLong(s.get("heartbeat.interval.ms"))).isLessThan(10_000).isEqualTo(3_000);
    assertThat(FailoverRun.settings(ENV, "f2", 0, 6_000, PLAN)).containsEntry("heartbeat.interval.ms", "2000");
    new FusionConfig(s); // every fusion.* value is one the app accepts
  }

  @Test
  void sessionsArePlacedAsTheProducerPlacesTheirKeys() {
    // The producer hashes the UTF-8 key with murmur2: the bench must agree, or it would call the wrong sessions lost.
    int a = FailoverRun.partitionOf("f1-session-0", 12);
    int b = FailoverRun.partitionOf("f1-session-1", 12);
    assertThat(a).isBetween(0, 11);
    assertThat(b).isBetween(0, 11);
    assertThat(FailoverRun.partitionOf("f1-session-0", 12)).as("stable").isEqualTo(a);
    assertThat(org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
        "f1-session-0".getBytes(java.nio.charset.StandardCharsets.UTF_8))) % 12).isEqualTo(a);
  }
}
