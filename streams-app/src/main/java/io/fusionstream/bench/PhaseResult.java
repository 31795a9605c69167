package io.fusionstream.bench;

import java.util.Map;

/**
 * What one measured phase of one pipeline run saw. Stage names are the metric labels
 * ({@code encode_text}, {@code encode_image}, {@code encode_audio}, {@code fuse}).
 *
 * @param eventCounts per modality: the events the phase sent
 * @param eventsPerSecond per modality: its events over the time from the first send until the last
 *     of them was encoded (NaN when that did not happen before the phase timed out)
 * @param allEventsPerSecond every event over the time until the last modality finished encoding
 * @param steadyEventsPerSecond per modality: 80 % of its events over the time from 10 % to 90 % of them
 *     encoded, the burst's steady part (its start and tail are fixed delays, not throughput)
 * @param steadyAllEventsPerSecond the same over all events of the phase
 * @param windowsPerSecond predictions over the time until the last one was readable
 * @param latenciesMs per session: window closable (last event acknowledged by the broker, end + grace passed
 *     on the wall clock) to prediction readable
 * @param avgBatch records per batch, per stage, over this phase
 * @param msPerBatch mean time of one batch, per stage, over this phase
 * @param kafkaBytes bytes the phase added to the broker's logs, per {@link KafkaBytes} category
 * @param complete false when the phase timed out before every prediction arrived
 */
public record PhaseResult(String name, long events, int windows, Map<String, Long> eventCounts,
    Map<String, Double> eventsPerSecond, double allEventsPerSecond, Map<String, Double> steadyEventsPerSecond,
    double steadyAllEventsPerSecond, double windowsPerSecond, long[] latenciesMs,
    Map<String, Double> avgBatch, Map<String, Double> msPerBatch, Map<String, Long> kafkaBytes,
    ProcessProbe.Usage usage, boolean complete) {

  public double cpuSecondsPer1000Events() {
    return events == 0 ? Double.NaN : usage.cpuSeconds() * 1000.0 / events;
  }

  public double latencyMs(double q) {
    return Spread.percentile(latenciesMs, q);
  }

  /** The slowest stage's mean batch time: "one batch's inference time" of the latency target. */
  public double slowestBatchMs() {
    return msPerBatch.values().stream().filter(v -> !Double.isNaN(v)).mapToDouble(Double::doubleValue)
        .max().orElse(Double.NaN);
  }

  /** Bytes written to Kafka (changelogs, repartition, output, DLQ) per byte of input. */
  public double writeAmplification() {
    return KafkaBytes.amplification(kafkaBytes);
  }

  /** Written bytes of one category per input byte. */
  public double bytesPerInputByte(String category) {
    long input = kafkaBytes.getOrDefault(KafkaBytes.INPUT, 0L);
    return input <= 0 ? Double.NaN : kafkaBytes.getOrDefault(category, 0L) / (double) input;
  }

  /**
   * Seconds spent inside the encoder and fusion calls (batches x mean batch time per stage): wall
   * time on the stream threads, which is CPU time when the engines run on the calling thread and
   * the thread is not preempted. NaN when no stage ran.
   */
  public double inferenceSeconds() {
    double total = 0;
    boolean any = false;
    for (Map.Entry<String, Double> e : msPerBatch.entrySet()) {
      double batch = avgBatch.getOrDefault(e.getKey(), Double.NaN);
      double records = e.getKey().equals("fuse") ? windows
          : eventCounts.getOrDefault(e.getKey().substring(e.getKey().indexOf('_') + 1), 0L);
      if (!Double.isNaN(batch) && !Double.isNaN(e.getValue()) && batch > 0 && records > 0) {
        total += records / batch * e.getValue() / 1000.0;
        any = true;
      }
    }
    return any ? total : Double.NaN;
  }

  /**
   * CPU seconds per 1,000 events of one group of {@link ProcessProbe}, or for {@link #INFERENCE} the
   * seconds inside the encoder and fusion calls (wall time, part of the stream threads' figure: on
   * a busy machine a preempted call counts its wait too); NaN where not measured.
   */
  public double cpuPer1000Events(String group) {
    Map<String, Double> byGroup = usage.cpuSecondsByGroup();
    if (events == 0 || (byGroup.isEmpty() && !group.equals(INFERENCE))) {
      return Double.NaN;
    }
    double seconds = group.equals(INFERENCE) ? inferenceSeconds() : byGroup.getOrDefault(group, Double.NaN);
    return seconds * 1000.0 / events;
  }

  /** The encoder and fusion calls (wall time, within the stream threads), as a row of {@link #cpuPer1000Events}. */
  public static final String INFERENCE = "  of which in encoder/fusion calls (wall)";
}
