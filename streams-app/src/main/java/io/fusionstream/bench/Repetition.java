package io.fusionstream.bench;

/**
 * The figures of one repetition: the batching-on app's throughput, text-only and latency phases,
 * the batching-off app's throughput phase, the bare text encoder, and the latency bound computed
 * from this repetition's own batch times.
 */
public record Repetition(PhaseResult on, PhaseResult off, PhaseResult textOnly, PhaseResult latency,
    double bareTextPerSecond, double rate, double latencyBoundMs) {

  /** Pipeline text-encode throughput over the bare encoder's; 1.0 is the limit. */
  public double textEncodeRatio() {
    return textOnly.eventsPerSecond().getOrDefault("text", Double.NaN) / bareTextPerSecond;
  }

  /** Events per second to the last encoded event, batching on over batching off. */
  public double batchingSpeedup() {
    return on.allEventsPerSecond() / off.allEventsPerSecond();
  }

  /**
   * The latency target: close delay (grace + idle timeout, since windows are stamped one window in
   * the past) + 2 x the max batch delay + 2 x the slowest stage's mean batch time.
   */
  public static double latencyBoundMs(long graceMs, long idleTimeoutMs, long maxBatchDelayMs, double slowestBatchMs) {
    return graceMs + idleTimeoutMs + 2.0 * maxBatchDelayMs + 2.0 * slowestBatchMs;
  }
}
