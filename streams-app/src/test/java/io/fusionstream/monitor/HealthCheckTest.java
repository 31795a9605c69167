package io.fusionstream.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class HealthCheckTest {

  @Test
  void aTaskThatKeepsFailingMakesTheInstanceDownWhileKafkaStreamsRuns() {
    String why = "task 0_1 failed 5 times within 600 s; last failing record: image-frames-0@7 (RecordTooLargeException)";
    HealthCheck.Result r = new HealthCheck(() -> "RUNNING", () -> true, () -> Optional.of(why)).evaluate();

    assertThat(r.live()).isFalse();
    assertThat(r.ready()).isFalse();
    assertThat(r.body(false)).containsEntry("status", "DOWN").containsEntry("live", false)
        .containsEntry("kafkaStreams", "RUNNING").containsEntry("reason", why);
    assertThat(r.body(true)).containsEntry("status", "DOWN");
  }

  @Test
  void runningWithoutRepeatedFailuresIsUpWithoutReason() {
    HealthCheck.Result r = new HealthCheck(() -> "RUNNING", () -> true, Optional::empty).evaluate();
    assertThat(r.body(false)).containsEntry("status", "UP").doesNotContainKey("reason");
    assertThat(r.body(true)).containsEntry("status", "UP");
  }

  @Test
  void aFailedClientSaysSo() {
    HealthCheck.Result r = new HealthCheck(() -> "ERROR", () -> true).evaluate();
    assertThat(r.body(false)).containsEntry("status", "DOWN").containsEntry("reason", "Kafka Streams is ERROR");
  }
}
