package io.fusionstream.bench;

import io.fusionstream.app.FusionApp;
import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.TopicSpecs;
import io.fusionstream.produce.EventPublisher;
import io.fusionstream.schema.Modality;
import io.fusionstream.serde.AvroSerdeConfig;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;

/**
 * One configuration under test: a fresh {@link FusionApp} with its own application id and its own
 * topics (a topic prefix per run, so no run reads another's records), fed by a producer and watched
 * by a prediction tail. Phases run one after another on the same app and are measured from the
 * app's own metrics (differences over the phase, so earlier phases and the warm-up do not count).
 */
public final class PipelineRun implements AutoCloseable {
  static final List<String> ENCODE_STAGES = List.of("encode_text", "encode_image", "encode_audio");
  static final String FUSE_STAGE = "fuse";
  private static final String BATCH_SIZE = "fusion.batch.size";

  /** What every run shares: the broker, the registry, the trained model, a scratch directory. */
  public record Environment(String bootstrap, String registryUrl, Path modelDir, Path workDir,
      int partitions, Duration phaseTimeout) {}

  private final Environment env;
  private final String id;
  private final FusionConfig config;
  private final FusionApp app;
  private final EventPublisher publisher;
  private final PredictionTail tail;
  private final MeterRegistry meters;
  private final Admin admin;
  /** Start of the next free window in event time: throughput sessions take one window each, in order. */
  private long nextWindowMs;

  private PipelineRun(Environment env, String id, FusionConfig config, FusionApp app,
      EventPublisher publisher, PredictionTail tail, Admin admin) {
    this.env = env;
    this.id = id;
    this.config = config;
    this.app = app;
    this.publisher = publisher;
    this.tail = tail;
    this.meters = app.monitoring().metrics().registry();
    this.admin = admin;
  }

  /**
   * Reserves {@code windows} consecutive windows for one throughput phase and returns the first's
   * start. Event time only moves forward over the run's phases, so no phase's events arrive late
   * for a window an earlier phase closed.
   */
  private long reserveWindows(int windows) {
    long first = nextWindowMs;
    nextWindowMs += windows * windowMs();
    return first;
  }

  /**
   * Creates the run's topics, starts the app and waits until Kafka Streams is RUNNING.
   * {@code plannedWindows}: how many sessions the run's throughput and text-only phases will send
   * in all; their event time starts that many windows in the past and ends before now.
   */
  public static PipelineRun start(Environment env, String id, Map<String, String> pipelineSettings,
      int plannedWindows) throws Exception {
    Map<String, String> s = new HashMap<>(pipelineSettings);
    s.put("bootstrap.servers", env.bootstrap());
    s.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, env.registryUrl());
    s.put("application.id", "bench-" + id);
    s.put("state.dir", env.workDir().resolve("state-" + id).toString());
    s.put(FusionConfig.TOPIC_PREFIX, id + "-");
    s.put(FusionConfig.MODEL_DIR, env.modelDir().toString());
    s.put(FusionConfig.HTTP_PORT, "0");
    s.put(FusionConfig.HTTP_HOST, "127.0.0.1");
    FusionConfig config = new FusionConfig(s);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", env.bootstrap()))) {
      // Event times reach back up to an hour or so: retention must not delete them as they arrive.
      TopicSpecs.createMissing(admin, TopicSpecs.all(config, env.partitions(), (short) 1, Duration.ofDays(7).toMillis()));
    }
    FusionApp app = FusionApp.start(s);
    EventPublisher publisher = null;
    PredictionTail tail = null;
    Admin admin = null;
    try {
      awaitRunning(app, Duration.ofSeconds(120));
      publisher = new EventPublisher(config, Map.of("bootstrap.servers", env.bootstrap(),
          AvroSerdeConfig.SCHEMA_REGISTRY_URL, env.registryUrl()));
      tail = new PredictionTail(env.bootstrap(), config.predictionsTopic());
      admin = Admin.create(Map.of("bootstrap.servers", env.bootstrap()));
      PipelineRun run = new PipelineRun(env, id, config, app, publisher, tail, admin);
      long w = run.windowMs();
      run.nextWindowMs = Math.floorDiv(System.currentTimeMillis(), w) * w - (plannedWindows + 2L) * w;
      return run;
    } catch (Exception | Error e) {
      if (admin != null) {
        admin.close();
      }
      if (tail != null) {
        tail.close();
      }
      if (publisher != null) {
        publisher.close();
      }
      app.close();
      throw e;
    }
  }

  private static void awaitRunning(FusionApp app, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (app.streams().state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Kafka Streams not RUNNING after " + timeout.toSeconds()
            + " s (state " + app.streams().state() + ")");
      }
      Thread.sleep(50);
    }
  }

  private long windowMs() {
    return config.getLong(FusionConfig.WINDOW_SIZE_MS);
  }

  /**
   * Sends {@code sessions} sessions as fast as the producer takes them, each in its own window one
   * window apart in event time (so a session's window closes when the next session's events
   * advance stream time), and waits until every session's prediction is readable.
   */
  public PhaseResult throughput(String phase, Workload workload, int sessions) throws InterruptedException {
    long origin = reserveWindows(sessions);
    String prefix = id + "-" + phase + "-";
    Snapshot before = snapshot();
    Map<String, Long> bytesBefore = logBytes();
    ProcessProbe probe = ProcessProbe.start();
    long t0 = System.nanoTime();
    sendOneWindowApart(workload, prefix, origin, sessions, EnumSet.allOf(Modality.class));
    long[] target = {(long) sessions * workload.perModality(), (long) sessions * workload.perModality(),
        (long) sessions * workload.perModality()};
    return await(phase, before, bytesBefore, probe, t0, prefix, sessions, ENCODE_STAGES, target, null);
  }

  /** Session i in its own window, one window after session i-1, starting at {@code origin}. */
  private void sendOneWindowApart(Workload workload, String prefix, long origin, int sessions, Set<Modality> modalities) {
    long w = windowMs();
    for (int i = 0; i < sessions; i++) {
      workload.send(publisher, i, prefix + i, origin + i * w + 1, modalities);
    }
    publisher.flush();
  }

  /**
   * Events of one modality only ({@code sessions} sessions of the workload's events of it), as fast
   * as possible: the modality's pipeline throughput (to its last encoded event) and its write
   * amplification (the phase also waits for every prediction, so window and output writes count).
   */
  public PhaseResult modalityOnly(String phase, Workload workload, int sessions, Modality modality)
      throws InterruptedException {
    long origin = reserveWindows(sessions);
    String prefix = id + "-" + phase + "-";
    Snapshot before = snapshot();
    Map<String, Long> bytesBefore = logBytes();
    ProcessProbe probe = ProcessProbe.start();
    long t0 = System.nanoTime();
    sendOneWindowApart(workload, prefix, origin, sessions, EnumSet.of(modality));
    return await(phase, before, bytesBefore, probe, t0, prefix, sessions, List.of(stageOf(modality)),
        new long[] {(long) sessions * workload.perModality()}, null);
  }

  private static String stageOf(Modality modality) {
    return "encode_" + modality.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Sessions at a fixed rate (sessions per second), each sent as one burst stamped with the wall clock
   * (live input, as producers send it). A session's latency counts from when its window could first
   * close: its last event acknowledged and the window's end + grace passed on the wall clock, so the
   * figure is the pipeline's own delay (idle timeout, batches, commit), not the time left in the window.
   *
   * <p>Stamping the events a window and a grace in the past, as this run did first, avoids that wait
   * but makes every task's event time lag the wall clock by more than the idle timeout: a busy task
   * then holds an idle window until another session's events pass its end + grace (the rule that
   * keeps a restarted task from closing windows whose events it has not read yet), which no live
   * stream does, and the p99 measured that rule, 2.5 to 3 s.
   */
  public PhaseResult latency(String phase, Workload workload, int sessions, double rate) throws InterruptedException {
    long w = windowMs();
    int span = 3 * workload.perModality(); // one ms per event of the burst
    String prefix = id + "-" + phase + "-";
    long[] closableAt = new long[sessions];
    Snapshot before = snapshot();
    Map<String, Long> bytesBefore = logBytes();
    ProcessProbe probe = ProcessProbe.start();
    long t0 = System.nanoTime();
    for (int i = 0; i < sessions; i++) {
      long due = t0 + (long) (i * 1e9 / rate);
      long sleepNs = due - System.nanoTime();
      if (sleepNs > 0) {
        TimeUnit.NANOSECONDS.sleep(sleepNs);
      }
      long first = System.currentTimeMillis() - span;
      long start = Math.floorDiv(first, w) * w;
      if (first + span >= start + w) {
        first = start + w - span - 1; // the burst would straddle two windows: keep it in the first
      }
      workload.send(publisher, i, prefix + i, first, EnumSet.allOf(Modality.class));
      publisher.flush();
      closableAt[i] = Math.max(System.currentTimeMillis(), Math.floorDiv(first, w) * w + w + config.grace().toMillis());
    }
    long[] target = {(long) sessions * workload.perModality(), (long) sessions * workload.perModality(),
        (long) sessions * workload.perModality()};
    return await(phase, before, bytesBefore, probe, t0, prefix, sessions, ENCODE_STAGES, target, closableAt);
  }

  private PhaseResult await(String phase, Snapshot before, Map<String, Long> bytesBefore, ProcessProbe probe, long t0, String prefix,
      int sessions, List<String> stages, long[] targets, long[] closableAt) throws InterruptedException {
    long deadline = System.nanoTime() + env.phaseTimeout().toNanos();
    long[] stageDoneNs = new long[stages.size()];
    // When 10 % and 90 % of each stage's events (and of all of them) were encoded: the steady rate
    // between the two leaves out the burst's start (first fetch, first batch) and its tail.
    long[] stage10Ns = new long[stages.size()];
    long[] stage90Ns = new long[stages.size()];
    long all10Ns = 0;
    long all90Ns = 0;
    long allTarget = java.util.Arrays.stream(targets).sum();
    long windowsDoneNs = 0;
    boolean complete = false;
    while (System.nanoTime() < deadline) {
      Snapshot now = snapshot();
      long at = System.nanoTime() - t0;
      boolean stagesDone = true;
      double allDone = 0;
      for (int i = 0; i < stages.size(); i++) {
        double done = now.amount(stages.get(i)) - before.amount(stages.get(i));
        allDone += done;
        stage10Ns[i] = stage10Ns[i] == 0 && done >= 0.1 * targets[i] ? at : stage10Ns[i];
        stage90Ns[i] = stage90Ns[i] == 0 && done >= 0.9 * targets[i] ? at : stage90Ns[i];
        if (stageDoneNs[i] == 0 && done >= targets[i]) {
          stageDoneNs[i] = at;
        }
        stagesDone &= stageDoneNs[i] != 0;
      }
      all10Ns = all10Ns == 0 && allDone >= 0.1 * allTarget ? at : all10Ns;
      all90Ns = all90Ns == 0 && allDone >= 0.9 * allTarget ? at : all90Ns;
      if (windowsDoneNs == 0 && arrivedCount(prefix, sessions) == sessions) {
        windowsDoneNs = System.nanoTime() - t0;
      }
      if (stagesDone && windowsDoneNs != 0) {
        complete = true;
        break;
      }
      // Every poll searches the meter registry: at 5 ms it took 3 % of a 2-core machine's samples from
      // the pipeline it measures; 20 ms is under 1 % of the shortest phase.
      Thread.sleep(20);
    }
    Snapshot after = snapshot();
    ProcessProbe.Usage usage = probe.stop();
    Map<String, Double> perModality = new LinkedHashMap<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    Map<String, Double> steady = new LinkedHashMap<>();
    long events = 0;
    long lastStageNs = 0;
    boolean allStages = true;
    for (int i = 0; i < stages.size(); i++) {
      events += targets[i];
      counts.put(stages.get(i).substring("encode_".length()), targets[i]);
      perModality.put(stages.get(i).substring("encode_".length()),
          stageDoneNs[i] == 0 ? Double.NaN : targets[i] / (stageDoneNs[i] / 1e9));
      steady.put(stages.get(i).substring("encode_".length()), steadyRate(targets[i], stage10Ns[i], stage90Ns[i]));
      lastStageNs = Math.max(lastStageNs, stageDoneNs[i]);
      allStages &= stageDoneNs[i] != 0;
    }
    int windows = arrivedCount(prefix, sessions);
    long[] latencies = latencies(prefix, closableAt);
    Map<String, Double> avgBatch = new LinkedHashMap<>();
    Map<String, Double> msPerBatch = new LinkedHashMap<>();
    for (String stage : allStages()) {
      double batches = after.batches(stage) - before.batches(stage);
      avgBatch.put(stage, batches == 0 ? Double.NaN : (after.amount(stage) - before.amount(stage)) / batches);
      msPerBatch.put(stage, batches == 0 ? Double.NaN : (after.timeMs(stage) - before.timeMs(stage)) / batches);
    }
    // Changelog writes of the last records go out with the commit after them: wait for it, unmeasured.
    Thread.sleep(3L * commitIntervalMs() + 200);
    Map<String, Long> bytes = KafkaBytes.byCategory(bytesBefore, logBytes(), namedTopics());
    return new PhaseResult(phase, events, windows, counts, perModality,
        allStages ? events / (lastStageNs / 1e9) : Double.NaN, steady, steadyRate(allTarget, all10Ns, all90Ns),
        sessions == 0 || windowsDoneNs == 0 ? Double.NaN : sessions / (windowsDoneNs / 1e9),
        latencies, avgBatch, msPerBatch, bytes, usage, complete);
  }

  private long commitIntervalMs() {
    Object value = config.originals().get("commit.interval.ms");
    return value == null ? 100 : Long.parseLong(value.toString());
  }

  /** This run's topics: its prefixed input, output and DLQ topics and its application's internal topics. */
  private Map<String, Long> logBytes() {
    String internal = "bench-" + id + "-";
    try {
      return KafkaBytes.perTopic(admin, t -> t.startsWith(id + "-") || t.startsWith(internal));
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("cannot read the broker's log sizes: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the broker's log sizes", e);
    }
  }

  private Map<String, String> namedTopics() {
    return Map.of(config.textTopic(), KafkaBytes.INPUT, config.imageTopic(), KafkaBytes.INPUT,
        config.audioTopic(), KafkaBytes.INPUT, config.predictionsTopic(), KafkaBytes.OUTPUT,
        config.dlqTopic(), KafkaBytes.DLQ);
  }

  /** 80 % of {@code target} over the time from 10 % to 90 % done; NaN when either was not seen or they coincide. */
  private static double steadyRate(long target, long at10Ns, long at90Ns) {
    return at10Ns == 0 || at90Ns <= at10Ns ? Double.NaN : 0.8 * target / ((at90Ns - at10Ns) / 1e9);
  }

  private int arrivedCount(String prefix, int sessions) {
    int n = 0;
    for (int i = 0; i < sessions; i++) {
      if (tail.arrived(prefix + i) != null) {
        n++;
      }
    }
    return n;
  }

  private long[] latencies(String prefix, long[] closableAt) {
    if (closableAt == null) {
      return new long[0];
    }
    return java.util.stream.IntStream.range(0, closableAt.length)
        .filter(i -> tail.arrived(prefix + i) != null)
        .mapToLong(i -> tail.arrived(prefix + i) - closableAt[i]).toArray();
  }

  private static List<String> allStages() {
    return List.of("encode_text", "encode_image", "encode_audio", FUSE_STAGE);
  }

  /** Cumulative batch counts, records and time per stage at one moment. */
  private record Snapshot(Map<String, double[]> byStage) {
    double batches(String stage) {
      return byStage.getOrDefault(stage, new double[3])[0];
    }

    double amount(String stage) {
      return byStage.getOrDefault(stage, new double[3])[1];
    }

    double timeMs(String stage) {
      return byStage.getOrDefault(stage, new double[3])[2];
    }
  }

  private Snapshot snapshot() {
    Map<String, double[]> out = new HashMap<>();
    for (DistributionSummary s : meters.find(BATCH_SIZE).summaries()) {
      out.put(s.getId().getTag("stage"), new double[] {s.count(), s.totalAmount(), 0});
    }
    for (Timer t : meters.find("fusion.encode").timers()) {
      double[] v = out.get("encode_" + t.getId().getTag("modality"));
      if (v != null) {
        v[2] = t.totalTime(TimeUnit.MILLISECONDS);
      }
    }
    for (Timer t : meters.find("fusion.fuse").timers()) {
      double[] v = out.get(FUSE_STAGE);
      if (v != null) {
        v[2] = t.totalTime(TimeUnit.MILLISECONDS);
      }
    }
    return new Snapshot(out);
  }

  public FusionConfig config() {
    return config;
  }

  @Override
  public void close() {
    admin.close();
    tail.close();
    publisher.close();
    app.close();
  }
}
