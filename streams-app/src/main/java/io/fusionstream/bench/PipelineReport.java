package io.fusionstream.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The table and the JSON of {@code fusion bench pipeline}: every figure as the median and range
 * over repetitions, and whether each target was met. Targets are judged on the medians.
 */
public final class PipelineReport {
  public static final double TEXT_RATIO_TARGET = 0.85;
  public static final double BATCHING_SPEEDUP_TARGET = 1.8;
  private static final double MIB = 1024.0 * 1024.0;

  /** The workload and settings, for the header and the JSON. */
  public record Setup(int cores, int sessions, int perModality, long windowMs, long graceMs, long idleTimeoutMs,
      int maxBatchSize, long maxBatchDelayMs, int textSessions, int latencySessions, int warmUpSessions,
      int repetitions, int partitions) {}

  /** One target and whether the medians met it. */
  public record Target(String name, double value, double limit, boolean higherIsBetter) {
    public boolean met() {
      return higherIsBetter ? value >= limit : value <= limit;
    }
  }

  private final Setup setup;
  private final List<Repetition> reps;

  public PipelineReport(Setup setup, List<Repetition> reps) {
    this.setup = setup;
    this.reps = List.copyOf(reps);
  }

  public Spread spread(ToDoubleFunction<Repetition> figure) {
    List<Double> values = new ArrayList<>();
    for (Repetition r : reps) {
      values.add(figure.applyAsDouble(r));
    }
    return Spread.of(values);
  }

  public List<Target> targets() {
    return List.of(
        new Target("pipeline text-encode throughput / bare encoder >= " + TEXT_RATIO_TARGET,
            spread(Repetition::textEncodeRatio).median(), TEXT_RATIO_TARGET, true),
        new Target("batching on / batching off (events/s) >= " + BATCHING_SPEEDUP_TARGET,
            spread(Repetition::batchingSpeedup).median(), BATCHING_SPEEDUP_TARGET, true),
        new Target("latency p99 at half max rate <= close delay + 2 x batch delay + 2 x batch time (ms)",
            spread(r -> r.latency().latencyMs(0.99)).median(), spread(Repetition::latencyBoundMs).median(), false));
  }

  private record Row(String name, ToDoubleFunction<PhaseResult> figure) {}

  private static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (String m : List.of("text", "image", "audio")) {
      rows.add(new Row(m + " events/s", p -> p.eventsPerSecond().getOrDefault(m, Double.NaN)));
    }
    rows.add(new Row("all events/s (to last encoded)", PhaseResult::allEventsPerSecond));
    rows.add(new Row("windows/s (to last prediction)", PhaseResult::windowsPerSecond));
    for (String stage : List.of("encode_text", "encode_image", "encode_audio", "fuse")) {
      rows.add(new Row("avg batch size " + stage, p -> p.avgBatch().getOrDefault(stage, Double.NaN)));
    }
    for (String stage : List.of("encode_text", "encode_image", "encode_audio", "fuse")) {
      rows.add(new Row("ms per batch " + stage, p -> p.msPerBatch().getOrDefault(stage, Double.NaN)));
    }
    rows.add(new Row("peak heap MiB", p -> p.usage().peakHeapBytes() / MIB));
    rows.add(new Row("peak RSS MiB", p -> p.usage().peakRssBytes() < 0 ? Double.NaN : p.usage().peakRssBytes() / MIB));
    rows.add(new Row("CPU s per 1,000 events", PhaseResult::cpuSecondsPer1000Events));
    return rows;
  }

  public void print(PrintWriter out) {
    Setup s = setup;
    out.printf(Locale.ROOT, "%nPipeline benchmark: %d CPU cores visible, %d sessions x %d events per modality,"
            + " window %d ms (grace %d, idle %d), max batch %d / %d ms, %d partitions, %d repetition(s),"
            + " %d warm-up sessions per app%n",
        s.cores(), s.sessions(), s.perModality(), s.windowMs(), s.graceMs(), s.idleTimeoutMs(), s.maxBatchSize(),
        s.maxBatchDelayMs(), s.partitions(), s.repetitions(), s.warmUpSessions());
    out.println("Figures: median (min-max) over repetitions. Heap, RSS and CPU include the in-process broker.");
    out.println();
    out.printf(Locale.ROOT, "%-34s %-26s %-26s%n", "throughput run", "batching on", "batching off (batch 1)");
    for (Row row : rows()) {
      out.printf(Locale.ROOT, "%-34s %-26s %-26s%n", row.name(),
          spread(r -> row.figure().applyAsDouble(r.on())).format(),
          spread(r -> row.figure().applyAsDouble(r.off())).format());
    }
    out.println();
    out.printf(Locale.ROOT, "Latency run (batching on, %d sessions at %s sessions/s = half the measured max):%n",
        s.latencySessions(), spread(Repetition::rate).format());
    out.printf(Locale.ROOT, "  last event acked -> prediction readable: p50 %s ms, p95 %s ms, p99 %s ms%n",
        spread(r -> r.latency().latencyMs(0.5)).format(), spread(r -> r.latency().latencyMs(0.95)).format(),
        spread(r -> r.latency().latencyMs(0.99)).format());
    out.printf(Locale.ROOT, "  avg batch size: text %s, image %s, audio %s, fuse %s%n",
        spread(r -> r.latency().avgBatch().get("encode_text")).format(),
        spread(r -> r.latency().avgBatch().get("encode_image")).format(),
        spread(r -> r.latency().avgBatch().get("encode_audio")).format(),
        spread(r -> r.latency().avgBatch().get("fuse")).format());
    out.println();
    out.printf(Locale.ROOT, "Text encode, %d texts (text-only sessions), batch %d: pipeline %s texts/s,"
            + " bare encoder %s texts/s, ratio %s (pipeline avg batch %s)%n",
        s.textSessions() * s.perModality(), s.maxBatchSize(),
        spread(r -> r.textOnly().eventsPerSecond().get("text")).format(), spread(Repetition::bareTextPerSecond).format(),
        spread(Repetition::textEncodeRatio).format(),
        spread(r -> r.textOnly().avgBatch().get("encode_text")).format());
    out.printf(Locale.ROOT, "Batching speed-up (all events/s, on / off): %s%n", spread(Repetition::batchingSpeedup).format());
    out.println();
    out.println("Targets (benchmark figures, not tests; judged on the medians):");
    for (Target t : targets()) {
      out.printf(Locale.ROOT, "  [%s] %s: %s vs %s%n", t.met() ? "met" : "MISSED", t.name(),
          Spread.number(t.value()), Spread.number(t.limit()));
    }
    boolean incomplete = reps.stream().anyMatch(r -> !r.on().complete() || !r.off().complete()
        || !r.textOnly().complete() || !r.latency().complete());
    if (incomplete) {
      out.println("WARNING: a phase timed out before all its events were encoded or predictions read;"
          + " its figures cover what finished (see the JSON's \"complete\" flags).");
    }
    out.flush();
  }

  /** Everything as nested maps, for Jackson: the setup, the summaries, the targets and every repetition. */
  public Map<String, Object> json() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("setup", setup);
    Map<String, Object> summary = new LinkedHashMap<>();
    for (Row row : rows()) {
      summary.put("on: " + row.name(), spread(r -> row.figure().applyAsDouble(r.on())));
      summary.put("off: " + row.name(), spread(r -> row.figure().applyAsDouble(r.off())));
    }
    summary.put("latency p50 ms", spread(r -> r.latency().latencyMs(0.5)));
    summary.put("latency p95 ms", spread(r -> r.latency().latencyMs(0.95)));
    summary.put("latency p99 ms", spread(r -> r.latency().latencyMs(0.99)));
    summary.put("latency bound ms", spread(Repetition::latencyBoundMs));
    summary.put("latency rate sessions/s", spread(Repetition::rate));
    summary.put("pipeline text/s", spread(r -> r.textOnly().eventsPerSecond().get("text")));
    summary.put("bare encoder text/s", spread(Repetition::bareTextPerSecond));
    summary.put("text encode ratio", spread(Repetition::textEncodeRatio));
    summary.put("batching speed-up", spread(Repetition::batchingSpeedup));
    root.put("summary", summary);
    List<Map<String, Object>> targets = new ArrayList<>();
    for (Target t : targets()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", t.name());
      m.put("value", t.value());
      m.put("limit", t.limit());
      m.put("met", t.met());
      targets.add(m);
    }
    root.put("targets", targets);
    root.put("repetitions", reps);
    return root;
  }
}
