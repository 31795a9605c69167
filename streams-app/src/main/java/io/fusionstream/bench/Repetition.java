package io.fusionstream.bench;

import java.util.Map;

/**
 * The figures of one repetition: the batching-on app's mixed throughput, single-modality and
 * latency phases, the batching-off app's throughput phase, the bare encoders' best rates on this
 * machine (the limit), and the latency bound computed from this repetition's own batch times.
 *
 * @param bestBarePerSecond each modality's best bare encoder rate (see {@link EncoderLimit})
 */
public record Repetition(PhaseResult on, PhaseResult off, PhaseResult textOnly, PhaseResult imageOnly,
    PhaseResult audioOnly, PhaseResult latency, Map<String, Double> bestBarePerSecond, double rate,
    double latencyBoundMs) {

  /** Pipeline text throughput (text-only sessions) over the best bare text encoder; 1.0 is the limit. */
  public double textRatio() {
    return textOnly.eventsPerSecond().getOrDefault("text", Double.NaN)
        / bestBarePerSecond.getOrDefault("text", Double.NaN);
  }

  /** The encoder-only limit of the mixed throughput run's mix of modalities. */
  public double mixedLimit() {
    return EncoderLimit.mixedLimit(bestBarePerSecond, on.eventCounts());
  }

  /** Mixed pipeline throughput (all events to the last encoded) over {@link #mixedLimit()}. */
  public double mixedRatio() {
    return on.allEventsPerSecond() / mixedLimit();
  }

  /** Events per second to the last encoded event, batching on over batching off. */
  public double batchingSpeedup() {
    return on.allEventsPerSecond() / off.allEventsPerSecond();
  }

  /** The single-modality phase of a modality ({@code text}, {@code image}, {@code audio}). */
  public PhaseResult only(String modality) {
    return switch (modality) {
      case "text" -> textOnly;
      case "image" -> imageOnly;
      case "audio" -> audioOnly;
      default -> throw new IllegalArgumentException("unknown modality " + modality);
    };
  }

  /**
   * The latency target: idle timeout (the latency run stamps each session a window and a grace in
   * the past, so its window closes by the idle timeout after its last event) + 2 x the max batch
   * delay + 2 x the slowest stage's mean batch time + the commit interval (under exactly-once a
   * prediction is readable once its transaction commits).
   */
  public static double latencyBoundMs(long idleTimeoutMs, long maxBatchDelayMs, double slowestBatchMs,
      long commitIntervalMs) {
    return idleTimeoutMs + 2.0 * maxBatchDelayMs + 2.0 * slowestBatchMs + commitIntervalMs;
  }
}
