package io.fusionstream.topology;

import io.fusionstream.schema.Modality;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts every hook call under a readable name ({@code events.in.text}, {@code dlq.image-too-large},
 * {@code batch.records.fuse}...). Meant for tests and for tools that print a summary.
 */
public final class CountingPipelineMetrics implements PipelineMetrics {
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  private void add(String name, long n) {
    counts.computeIfAbsent(name, k -> new LongAdder()).add(n);
  }

  public long count(String name) {
    LongAdder a = counts.get(name);
    return a == null ? 0 : a.sum();
  }

  /** A sorted copy of all counters, for printing. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  private static String name(Modality m) {
    return m.name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override public void eventIn(Modality modality) {
    add("events.in." + name(modality), 1);
  }

  @Override public void deadLetter(String reason) {
    add("dlq." + reason, 1);
    add("dlq.total", 1);
  }

  @Override public void deadLetterPayloadDropped(String reason) {
    add("dlq.payload.dropped." + reason, 1);
  }

  @Override public void outputSkipped(String reason) {
    add("output.skipped." + reason, 1);
  }

  @Override public void lateDropped(Modality modality) {
    add("late.dropped." + name(modality), 1);
  }

  @Override public void windowEmitted(EmitTrigger trigger) {
    add("windows.emitted." + trigger.name().toLowerCase(java.util.Locale.ROOT), 1);
  }

  @Override public void windowSkipped(String reason) {
    add("windows.skipped." + reason, 1);
  }

  @Override public void batch(String stage, int size, long nanos) {
    add("batch.count." + stage, 1);
    add("batch.records." + stage, size);
  }

  @Override public void endToEndLatency(long millis) {
    add("latency.samples", 1);
  }

  @Override public void prediction(String label) {
    add("predictions." + label, 1);
    add("predictions.total", 1);
  }

  @Override public void eventTimeOutOfBounds(Modality modality, String policy) {
    add("time.out.of.bounds." + name(modality) + "." + policy, 1);
  }

  @Override public void modelRefused() {
    add("model.refused", 1);
  }
}
