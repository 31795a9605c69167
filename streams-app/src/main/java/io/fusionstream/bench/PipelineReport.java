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
  public static final double TEXT_RATIO_TARGET = 0.90;
  public static final double MIXED_RATIO_TARGET = 0.70;
  public static final double IMAGE_WRITE_AMPLIFICATION_TARGET = 2.2;
  static final List<String> MODALITIES = List.of("text", "image", "audio");
  private static final double MIB = 1024.0 * 1024.0;

  /** The workload and settings, for the header and the JSON. */
  public record Setup(int cores, int sessions, int perModality, long windowMs, long graceMs, long idleTimeoutMs,
      int maxBatchSize, long maxBatchDelayMs, long commitIntervalMs, int textSessions, int modalitySessions,
      int latencySessions, int warmUpSessions, int repetitions, int partitions, double limitSecondsPerPoint,
      String streamThreads, Map<String, String> properties) {}

  /** One target and whether the medians met it. */
  public record Target(String name, double value, double limit, boolean higherIsBetter) {
    public boolean met() {
      return higherIsBetter ? value >= limit : value <= limit;
    }
  }

  private final Setup setup;
  private final List<EncoderLimit.Sweep> sweeps;
  private final List<Repetition> reps;

  /** @param sweeps the bare encoders' sweeps, measured once in the same run */
  public PipelineReport(Setup setup, List<EncoderLimit.Sweep> sweeps, List<Repetition> reps) {
    this.setup = setup;
    this.sweeps = List.copyOf(sweeps);
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
        new Target("text-only pipeline / best bare text encoder >= " + TEXT_RATIO_TARGET,
            spread(Repetition::textRatio).median(), TEXT_RATIO_TARGET, true),
        new Target("mixed pipeline / mixed encoder-only limit >= " + MIXED_RATIO_TARGET,
            spread(Repetition::mixedRatio).median(), MIXED_RATIO_TARGET, true),
        new Target("latency p99 at half load <= idle timeout + 2 x batch delay + 2 x batch time + commit interval (ms)",
            spread(r -> r.latency().latencyMs(0.99)).median(), spread(Repetition::latencyBoundMs).median(), false),
        new Target("image write amplification (bytes written to Kafka / input byte) <= " + IMAGE_WRITE_AMPLIFICATION_TARGET,
            spread(r -> r.imageOnly().writeAmplification()).median(), IMAGE_WRITE_AMPLIFICATION_TARGET, false));
  }

  private record Row(String name, ToDoubleFunction<PhaseResult> figure) {}

  private static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (String m : List.of("text", "image", "audio")) {
      rows.add(new Row(m + " events/s", p -> p.eventsPerSecond().getOrDefault(m, Double.NaN)));
    }
    rows.add(new Row("all events/s (to last encoded)", PhaseResult::allEventsPerSecond));
    rows.add(new Row("all events/s (steady, 10-90 %)", PhaseResult::steadyAllEventsPerSecond));
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
    rows.add(new Row("write amplification (B to Kafka / B in)", PhaseResult::writeAmplification));
    return rows;
  }

  public void print(PrintWriter out) {
    Setup s = setup;
    out.printf(Locale.ROOT, "%nPipeline benchmark: %d CPU cores visible, %d sessions x %d events per modality,"
            + " window %d ms (grace %d, idle %d), max batch %d / %d ms, commit %d ms, %d partitions, %s,"
            + " %d repetition(s), %d warm-up sessions per app%n",
        s.cores(), s.sessions(), s.perModality(), s.windowMs(), s.graceMs(), s.idleTimeoutMs(), s.maxBatchSize(),
        s.maxBatchDelayMs(), s.commitIntervalMs(), s.partitions(), s.streamThreads(), s.repetitions(),
        s.warmUpSessions());
    if (!s.properties().isEmpty()) {
      out.println("Settings given to the apps under test (--property): " + s.properties());
    }
    out.println("Figures: median (min-max) over repetitions. Heap, RSS and CPU include the in-process broker.");
    out.println();
    printLimit(out);
    out.printf(Locale.ROOT, "%-34s %-26s %-26s%n", "throughput run", "batching on", "batching off (batch 1)");
    for (Row row : rows()) {
      out.printf(Locale.ROOT, "%-34s %-26s %-26s%n", row.name(),
          spread(r -> row.figure().applyAsDouble(r.on())).format(),
          spread(r -> row.figure().applyAsDouble(r.off())).format());
    }
    out.println();
    out.printf(Locale.ROOT, "Latency run (batching on, %d sessions at %s sessions/s = half the measured max):%n",
        s.latencySessions(), spread(Repetition::rate).format());
    out.printf(Locale.ROOT, "  window closable (last event acked, end + grace passed) -> prediction readable: p50 %s ms, p95 %s ms, p99 %s ms%n",
        spread(r -> r.latency().latencyMs(0.5)).format(), spread(r -> r.latency().latencyMs(0.95)).format(),
        spread(r -> r.latency().latencyMs(0.99)).format());
    out.printf(Locale.ROOT, "  avg batch size: text %s, image %s, audio %s, fuse %s%n",
        spread(r -> r.latency().avgBatch().getOrDefault("encode_text", Double.NaN)).format(),
        spread(r -> r.latency().avgBatch().getOrDefault("encode_image", Double.NaN)).format(),
        spread(r -> r.latency().avgBatch().getOrDefault("encode_audio", Double.NaN)).format(),
        spread(r -> r.latency().avgBatch().getOrDefault("fuse", Double.NaN)).format());
    out.println();
    out.printf(Locale.ROOT, "Single-modality runs (batching on; %d text sessions, %d image and audio sessions):%n",
        s.textSessions(), s.modalitySessions());
    out.printf(Locale.ROOT, "  %-6s %-20s %-20s %-18s %-18s %-18s %-18s %-18s%n", "", "events/s, steady",
        "events/s, to last", "steady / best bare", "write amp.", "changelog B/B", "repartition B/B", "output+DLQ B/B");
    for (String m : MODALITIES) {
      out.printf(Locale.ROOT, "  %-6s %-20s %-20s %-18s %-18s %-18s %-18s %-18s%n", m,
          spread(r -> r.only(m).steadyEventsPerSecond().getOrDefault(m, Double.NaN)).format(),
          spread(r -> r.only(m).eventsPerSecond().getOrDefault(m, Double.NaN)).format(),
          spread(r -> r.only(m).steadyEventsPerSecond().getOrDefault(m, Double.NaN)
              / r.bestBarePerSecond().getOrDefault(m, Double.NaN)).format(),
          spread(r -> r.only(m).writeAmplification()).format(),
          spread(r -> r.only(m).bytesPerInputByte(KafkaBytes.CHANGELOG)).format(),
          spread(r -> r.only(m).bytesPerInputByte(KafkaBytes.REPARTITION)).format(),
          spread(r -> r.only(m).bytesPerInputByte(KafkaBytes.OUTPUT) + r.only(m).bytesPerInputByte(KafkaBytes.DLQ)).format());
    }
    out.printf(Locale.ROOT, "Text-only pipeline %s texts/s (steady) / best bare %s = %s (pipeline avg batch %s)%n",
        spread(r -> r.textOnly().steadyEventsPerSecond().getOrDefault("text", Double.NaN)).format(),
        spread(r -> r.bestBarePerSecond().getOrDefault("text", Double.NaN)).format(), spread(Repetition::textRatio).format(),
        spread(r -> r.textOnly().avgBatch().getOrDefault("encode_text", Double.NaN)).format());
    out.printf(Locale.ROOT, "Mixed pipeline %s events/s (steady) / encoder-only limit %s = %s%n",
        spread(r -> r.on().steadyAllEventsPerSecond()).format(), spread(Repetition::mixedLimit).format(),
        spread(Repetition::mixedRatio).format());
    out.printf(Locale.ROOT, "Batching speed-up (steady events/s, on / off; reported, not a target): %s%n",
        spread(Repetition::batchingSpeedup).format());
    printCpuGroups(out);
    out.println();
    out.println("Targets (benchmark figures, not tests; judged on the medians):");
    for (Target t : targets()) {
      out.printf(Locale.ROOT, "  [%s] %s: %s vs %s%n", t.met() ? "met" : "MISSED", t.name(),
          Spread.number(t.value()), Spread.number(t.limit()));
    }
    boolean incomplete = reps.stream().anyMatch(r -> !r.on().complete() || !r.off().complete()
        || !r.textOnly().complete() || !r.imageOnly().complete() || !r.audioOnly().complete()
        || !r.latency().complete());
    if (incomplete) {
      out.println("WARNING: a phase timed out before all its events were encoded or predictions read;"
          + " its figures cover what finished (see the JSON's \"complete\" flags).");
    }
    out.flush();
  }

  /** Rows of the CPU split, in the order printed; the inference row is part of the stream threads' one. */
  static final List<String> CPU_GROUPS = List.of(ProcessProbe.STREAM_THREADS, PhaseResult.INFERENCE,
      ProcessProbe.PRODUCER_IO, ProcessProbe.BROKER, ProcessProbe.BENCH, ProcessProbe.OTHER_JAVA, ProcessProbe.NOT_JAVA);

  private void printCpuGroups(PrintWriter out) {
    out.println();
    out.printf(Locale.ROOT, "Where the CPU goes (CPU s per 1,000 events from per-thread CPU time, median; %d cores):%n",
        setup.cores());
    out.printf(Locale.ROOT, "  %-40s %-12s %-12s %-12s %-12s%n", "", "mixed", "text-only", "image-only", "audio-only");
    for (String group : CPU_GROUPS) {
      out.printf(Locale.ROOT, "  %-40s %-12s %-12s %-12s %-12s%n", group,
          Spread.number(spread(r -> r.on().cpuPer1000Events(group)).median()),
          Spread.number(spread(r -> r.textOnly().cpuPer1000Events(group)).median()),
          Spread.number(spread(r -> r.imageOnly().cpuPer1000Events(group)).median()),
          Spread.number(spread(r -> r.audioOnly().cpuPer1000Events(group)).median()));
    }
    out.printf(Locale.ROOT, "  %-40s %-12s %-12s %-12s %-12s%n", "whole process",
        Spread.number(spread(r -> r.on().cpuSecondsPer1000Events()).median()),
        Spread.number(spread(r -> r.textOnly().cpuSecondsPer1000Events()).median()),
        Spread.number(spread(r -> r.imageOnly().cpuSecondsPer1000Events()).median()),
        Spread.number(spread(r -> r.audioOnly().cpuSecondsPer1000Events()).median()));
  }

  private void printLimit(PrintWriter out) {
    out.printf(Locale.ROOT, "Encoder limit on this machine: bare encoders on the workload's decoded inputs, %.1f s per"
        + " point, engine threads 1..%d x callers (threads x callers <= cores) x batch sizes %s:%n",
        setup.limitSecondsPerPoint(), setup.cores(), EncoderLimit.batchSizes(setup.maxBatchSize()));
    for (EncoderLimit.Sweep sweep : sweeps) {
      EncoderLimit.Point best = sweep.best();
      EncoderLimit.Point single = sweep.points().stream()
          .filter(p -> p.engineThreads() == 1 && p.callers() == 1 && p.batchSize() == best.batchSize())
          .findFirst().orElse(best);
      out.printf(Locale.ROOT, "  %-6s %-32s best %s items/s (%d caller(s) x %d engine thread(s), batch %d);"
              + " 1 caller x 1 thread at that batch: %s%n",
          sweep.modality(), sweep.model(), Spread.number(best.itemsPerSecond()), best.callers(),
          best.engineThreads(), best.batchSize(), Spread.number(single.itemsPerSecond()));
    }
    out.printf(Locale.ROOT, "  mixed limit of the throughput run's mix: %s events/s%n%n",
        spread(Repetition::mixedLimit).format());
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
    for (String m : MODALITIES) {
      summary.put(m + "-only pipeline events/s", spread(r -> r.only(m).eventsPerSecond().getOrDefault(m, Double.NaN)));
      summary.put(m + "-only pipeline steady events/s",
          spread(r -> r.only(m).steadyEventsPerSecond().getOrDefault(m, Double.NaN)));
      summary.put(m + "-only write amplification", spread(r -> r.only(m).writeAmplification()));
      for (String category : KafkaBytes.WRITTEN) {
        summary.put(m + "-only " + category + " bytes per input byte",
            spread(r -> r.only(m).bytesPerInputByte(category)));
      }
      summary.put("best bare " + m + " items/s", spread(r -> r.bestBarePerSecond().getOrDefault(m, Double.NaN)));
    }
    summary.put("text-only ratio to best bare", spread(Repetition::textRatio));
    for (String group : CPU_GROUPS) {
      summary.put("mixed CPU s per 1000 events: " + group, spread(r -> r.on().cpuPer1000Events(group)));
      summary.put("text-only CPU s per 1000 events: " + group, spread(r -> r.textOnly().cpuPer1000Events(group)));
    }
    summary.put("mixed limit events/s", spread(Repetition::mixedLimit));
    summary.put("mixed ratio to limit", spread(Repetition::mixedRatio));
    summary.put("batching speed-up", spread(Repetition::batchingSpeedup));
    root.put("summary", summary);
    List<Map<String, Object>> limit = new ArrayList<>();
    for (EncoderLimit.Sweep sweep : sweeps) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("modality", sweep.modality());
      m.put("model", sweep.model());
      m.put("best", sweep.best());
      m.put("points", sweep.points());
      limit.add(m);
    }
    root.put("encoder limit", limit);
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
