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

  /**
   * Pipeline text throughput (text-only sessions, steady part of the burst) over the best bare text
   * encoder; 1.0 is the limit. Steady, because the bare encoder's rate is a steady one too.
   */
  public double textRatio() {
    return textOnly.steadyEventsPerSecond().getOrDefault("text", Double.NaN)
        / bestBarePerSecond.getOrDefault("text", Double.NaN);
  }

  /** The encoder-only limit of the mixed throughput run's mix of modalities. */
  public double mixedLimit() {
    return EncoderLimit.mixedLimit(bestBarePerSecond, on.eventCounts());
  }

  /** Mixed pipeline throughput (all events, steady part of the burst) over {@link #mixedLimit()}. */
  public double mixedRatio() {
    return on.steadyAllEventsPerSecond() / mixedLimit();
  }

  /** Steady events per second, batching on over batching off. */
  public double batchingSpeedup() {
    return on.steadyAllEventsPerSecond() / off.steadyAllEventsPerSecond();
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
   * The latency target: idle timeout (the latency run counts from when a window could close, so it
   * closes by the idle timeout after that) + 2 x the max batch
   * delay + 2 x the slowest stage's mean batch time + the commit interval (under exactly-once a
   * prediction is readable once its transaction commits).
   */
  public static double latencyBoundMs(long idleTimeoutMs, long maxBatchDelayMs, double slowestBatchMs,
      long commitIntervalMs) {
    return idleTimeoutMs + 2.0 * maxBatchDelayMs + 2.0 * slowestBatchMs + commitIntervalMs;
  }
}
