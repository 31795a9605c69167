package io.fusionstream.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Restore progress per store adds up over partitions and returns to zero when restores end or move. */
class RestoreProgressTest {

  @Test
  void remainingRecordsFollowTheRestoresOfEachStore() {
    try (FusionMetrics metrics = new FusionMetrics()) {
      RestoreProgress progress = new RestoreProgress(metrics.registry());
      TopicPartition w0 = new TopicPartition("app-fusion-windows-changelog", 0);
      TopicPartition w1 = new TopicPartition("app-fusion-windows-changelog", 1);
      TopicPartition p0 = new TopicPartition("app-fusion-encode-pending-changelog", 0);

      progress.onRestoreStart(w0, "fusion-windows", 100, 400);
      progress.onRestoreStart(w1, "fusion-windows", 0, 50);
      progress.onRestoreStart(p0, "fusion-encode-pending", 10, 30);
      assertThat(remaining(metrics, "fusion-windows")).isEqualTo(350);
      assertThat(remaining(metrics, "fusion-encode-pending")).isEqualTo(20);

      progress.onBatchRestored(w0, "fusion-windows", 250, 150);
      assertThat(remaining(metrics, "fusion-windows")).isEqualTo(200);
      progress.onRestoreEnd(w1, "fusion-windows", 50);
      assertThat(remaining(metrics, "fusion-windows")).isEqualTo(150);
      // A task that moves away mid-restore leaves nothing behind to restore here.
      progress.onRestoreSuspended(w0, "fusion-windows", 150);
      assertThat(remaining(metrics, "fusion-windows")).isZero();
      progress.onRestoreEnd(p0, "fusion-encode-pending", 20);

      assertThat(progress.remaining()).isZero();
      PrometheusText scrape = new PrometheusText(metrics.scrape());
      assertThat(scrape.value("fusion_restore_records_total", "store", "fusion-windows")).isEqualTo(150);
      assertThat(scrape.value("fusion_restore_records_remaining", "store", "fusion-encode-pending")).isZero();
    }
  }

  private static double remaining(FusionMetrics metrics, String store) {
    return new PrometheusText(metrics.scrape()).value("fusion_restore_records_remaining", "store", store);
  }
}
