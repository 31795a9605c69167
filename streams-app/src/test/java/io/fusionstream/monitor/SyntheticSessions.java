package io.fusionstream.monitor;

import static io.fusionstream.monitor.TestPredictions.prediction;
import static io.fusionstream.monitor.TestPredictions.weights;

import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.Modality;
import io.fusionstream.topology.PipelineMetrics;
import io.fusionstream.topology.PipelineMetrics.EmitTrigger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Drives the metrics and the dashboard feed the way the pipeline does while sessions flow: events
 * per modality, encoder and fusion batches, windows, one prediction per step (each session gets two,
 * then a new session starts), and now and then a dead letter.
 */
final class SyntheticSessions implements Runnable {

  static final List<String> LABELS = List.of("calm", "happy", "angry", "confused");
  static final String MODEL_VERSION = "fusion-attention-v3";

  private final FusionMetrics metrics;
  private final DashboardFeed feed;
  private final Random random = new Random(42);
  private final int minLatencyMs;
  private final int latencySpreadMs;
  private int step;
  private long offset;

  SyntheticSessions(FusionMetrics metrics, DashboardFeed feed) {
    this(metrics, feed, 150, 600);
  }

  /** End-to-end latencies uniform in [minMs, minMs + spreadMs): the demo's are 7 to 16 s. */
  SyntheticSessions(FusionMetrics metrics, DashboardFeed feed, int minLatencyMs, int spreadMs) {
    this.metrics = metrics;
    this.feed = feed;
    this.minLatencyMs = minLatencyMs;
    this.latencySpreadMs = spreadMs;
    metrics.modelVersion(MODEL_VERSION);
    feed.onState("RUNNING");
  }

  @Override
  public void run() {
    int text = 3 + random.nextInt(5);
    int image = 2 + random.nextInt(3);
    int audio = 1 + random.nextInt(4);
    events(Modality.TEXT, text);
    events(Modality.IMAGE, image);
    events(Modality.AUDIO, audio);

    Map<Modality, Float> w = switch (step % 4) {
      case 0 -> weights(0.5f, 0.3f, 0.2f);
      case 1 -> weights(0.7f, 0, 0.3f);
      case 2 -> weights(0.2f, 0.5f, 0.3f);
      default -> weights(1f, 0, 0);
    };
    // Every third prediction has modalities that disagree.
    float consistency = step % 3 == 2 ? 0.25f : 0.8f + 0.2f * random.nextFloat();
    String label = LABELS.get(random.nextInt(LABELS.size()));
    String session = String.format("session-%03d", step / 2);
    FusedPrediction p = prediction(session, System.currentTimeMillis() - 12_000, label, LABELS,
        0.4f + 0.5f * random.nextFloat(), consistency, w);
    metrics.windowEmitted(step % 5 == 4 ? EmitTrigger.IDLE : EmitTrigger.CLOSE);
    metrics.batch(PipelineMetrics.STAGE_FUSE, 1 + random.nextInt(3), Duration.ofMillis(2 + random.nextInt(5)).toNanos());
    metrics.prediction(p.getLabel());
    metrics.modalitiesPresent(p.getModalitiesPresent());
    metrics.endToEndLatency(minLatencyMs + random.nextInt(latencySpreadMs));
    feed.onPrediction(p);

    if (step % 7 == 3) {
      String reason = step % 2 == 0 ? "invalid_image" : "schema_mismatch";
      metrics.deadLetter(reason);
      feed.onDeadLetter(reason, step % 2 == 0 ? "image-frames" : "text-events", 0, offset,
          step % 2 == 0 ? "Cannot decode JPEG frame: unexpected end of data" : "Unknown magic byte 0x7b");
    }
    if (step % 11 == 10) {
      metrics.lateDropped(Modality.AUDIO);
    }
    step++;
  }

  private void events(Modality modality, int n) {
    for (int i = 0; i < n; i++) {
      metrics.eventIn(modality);
    }
    offset += n;
    metrics.batch(PipelineMetrics.encodeStage(modality), n, Duration.ofMillis(5L * n + random.nextInt(10)).toNanos());
  }
}
