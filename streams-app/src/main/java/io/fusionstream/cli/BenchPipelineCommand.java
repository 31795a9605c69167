package io.fusionstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fusionstream.bench.EncoderLimit;
import io.fusionstream.bench.PhaseResult;
import io.fusionstream.bench.PipelineReport;
import io.fusionstream.bench.PipelineRun;
import io.fusionstream.bench.Repetition;
import io.fusionstream.bench.Workload;
import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.decode.AudioDecoder;
import io.fusionstream.decode.ImageDecoder;
import io.fusionstream.decode.Limits;
import io.fusionstream.encode.EncoderFactory;
import io.fusionstream.encode.EncoderSettings;
import io.fusionstream.encode.TorchThreads;
import io.fusionstream.schema.Modality;
import io.fusionstream.registry.EmbeddedSchemaRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code fusion bench pipeline}: the encoders' limit on this machine (every engine thread count,
 * parallel callers and batch size), then the whole pipeline on the in-process broker against it:
 * mixed and single-modality throughput, batching on against off, a latency run at half load, CPU,
 * memory and the bytes written to Kafka per input byte.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = {
      "First measures each bare encoder at its best on this machine (engine threads 1..cores, parallel",
      "callers, batch sizes up to the max): the limit. Then the pipeline end to end on an in-process",
      "Kafka broker and Schema Registry: mixed and text-, image- and audio-only events/s as ratios to",
      "the limit, windows/s, latency p50/p95/p99 at half load, average batch size per stage, peak heap",
      "and RSS, CPU seconds per 1,000 events, bytes written to Kafka per input byte (changelogs,",
      "repartition, output, DLQ, from the broker's log sizes); batching on against off (batch size 1).",
      "Each configuration runs in a fresh app with its own application id; warm-up sessions are not",
      "measured. Prints median (min-max) over the repetitions and whether each target was met."
    },
    footer = {"", "Examples:", "  ./fusion bench pipeline",
        "  ./fusion bench pipeline --sessions 60 --events-per-modality 3 --repetitions 5 --json target/bench.json"})
public final class BenchPipelineCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--sessions", defaultValue = "200", description = "Sessions of the throughput runs (default ${DEFAULT-VALUE}).")
  int sessions;

  @Option(names = "--events-per-modality", defaultValue = "3",
      description = "Events of each modality per session (default ${DEFAULT-VALUE}).")
  int perModality;

  @Option(names = "--window-ms", defaultValue = "4000", description = "Window size (default ${DEFAULT-VALUE}).")
  long windowMs;

  @Option(names = "--grace-ms", defaultValue = "200", description = "Window grace (default ${DEFAULT-VALUE}).")
  long graceMs;

  @Option(names = "--idle-timeout-ms", defaultValue = "1000",
      description = "Window idle timeout (default ${DEFAULT-VALUE}).")
  long idleTimeoutMs;

  @Option(names = "--max-batch-size", defaultValue = "32",
      description = "Batch size when batching is on (default ${DEFAULT-VALUE}).")
  int maxBatchSize;

  @Option(names = "--max-batch-delay-ms", defaultValue = "50",
      description = "Batch delay when batching is on (default ${DEFAULT-VALUE}).")
  long maxBatchDelayMs;

  @Option(names = "--rate", description = "Sessions per second of the latency run (default: half the"
      + " windows/s measured by the same repetition's batching-on throughput run).")
  Double rate;

  @Option(names = "--latency-sessions", defaultValue = "60",
      description = "Sessions of the latency run (default ${DEFAULT-VALUE}).")
  int latencySessions;

  @Option(names = "--text-sessions", defaultValue = "1000",
      description = "Text-only sessions of the text-encode comparison (default ${DEFAULT-VALUE}).")
  int textSessions;

  @Option(names = "--modality-sessions", defaultValue = "120",
      description = "Sessions of the image-only and audio-only runs (default ${DEFAULT-VALUE}).")
  int modalitySessions;

  @Option(names = "--limit-seconds", defaultValue = "2",
      description = "Measuring time of each bare-encoder point of the limit sweep (default ${DEFAULT-VALUE}).")
  double limitSeconds;

  @Option(names = "--commit-interval-ms", defaultValue = "100",
      description = "Kafka Streams commit interval of the apps under test (default ${DEFAULT-VALUE}).")
  long commitIntervalMs;

  @Option(names = "--warmup-sessions", defaultValue = "4",
      description = "Unmeasured sessions sent to each app first (default ${DEFAULT-VALUE}).")
  int warmUpSessions;

  @Option(names = "--repetitions", defaultValue = "3", description = "Repetitions (default ${DEFAULT-VALUE}).")
  int repetitions;

  @Option(names = "--partitions", defaultValue = "3", description = "Partitions per topic (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--phase-timeout", defaultValue = "180",
      description = "Seconds a phase may take before its figures are taken as they are (default ${DEFAULT-VALUE}).")
  int phaseTimeoutSeconds;

  @Option(names = "--train-sessions", defaultValue = "60",
      description = "Synthetic sessions to train the benchmark's fusion model on (default ${DEFAULT-VALUE}).")
  int trainSessions;

  @Option(names = "--device", defaultValue = "auto",
      description = "Encoder device of the apps and the bare encoders: auto, cpu or gpu:N (default ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write every figure as JSON to FILE.")
  Path json;

  @Option(names = {"--property", "-X"}, paramLabel = "KEY=VALUE",
      description = "A setting of the apps under test (fusion.* or Kafka Streams), on top of the benchmark's own;"
          + " repeatable, e.g. -X fusion.state.rocksdb.memory.bytes=0.")
  Map<String, String> properties = new java.util.LinkedHashMap<>();

  @Option(names = "--seed", defaultValue = "7", description = "Seed of the generated sessions (default ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    validate();
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "Generating %d sessions x %d events per modality...%n", sessions, perModality);
    out.flush();
    Workload workload = Workload.generate(sessions, perModality, seed);
    Path work = Files.createTempDirectory("fusion-bench-");
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).start()) {
      Path models = train(work, out);
      var env = new PipelineRun.Environment(kafka.bootstrapServers(), registry.url(), models, work, partitions,
          Duration.ofSeconds(phaseTimeoutSeconds));
      List<EncoderLimit.Sweep> sweeps = limit(workload, out);
      Map<String, Double> best = new HashMap<>();
      sweeps.forEach(sweep -> best.put(sweep.modality(), sweep.best().itemsPerSecond()));
      List<Repetition> reps = new ArrayList<>();
      for (int rep = 1; rep <= repetitions; rep++) {
        reps.add(repetition(rep, env, workload, best, out));
      }
      PipelineReport report = new PipelineReport(setup(), sweeps, reps);
      report.print(out);
      if (json != null) {
        writeJson(report);
        out.println("JSON written to " + json.toAbsolutePath());
      }
      return 0;
    } finally {
      deleteQuietly(work);
    }
  }

  /**
   * Each modality's bare encoder, built as the pipeline builds it, at every setting of the sweep.
   * PyTorch's thread count is process-wide: it is changed for the sweep and put back afterwards.
   */
  private List<EncoderLimit.Sweep> limit(Workload workload, PrintWriter out) throws InterruptedException {
    FusionConfig config = new FusionConfig(pipelineSettings(maxBatchSize));
    EncoderSettings base = config.encoderSettings();
    Limits limits = config.limits();
    int cores = Runtime.getRuntime().availableProcessors();
    int samples = Math.min(workload.sessions(), 50);
    out.printf(Locale.ROOT, "Encoder limit: sweeping engine threads 1..%d, callers and batch sizes %s (%.1f s per point)...%n",
        cores, EncoderLimit.batchSizes(maxBatchSize), limitSeconds);
    out.flush();
    int torchBefore = TorchThreads.applyNow(Math.max(1, base.torchThreads()));
    try {
      List<EncoderLimit.Sweep> sweeps = new ArrayList<>();
      sweeps.add(EncoderLimit.sweep("text", t -> EncoderFactory.text(withThreads(base, t)), TorchThreads::applyNow,
          workload.texts(textSessions), cores, maxBatchSize, limitSeconds));
      sweeps.add(EncoderLimit.sweep("image", t -> EncoderFactory.image(withThreads(base, t)), TorchThreads::applyNow,
          workload.images(samples, new ImageDecoder(limits)), cores, maxBatchSize, limitSeconds));
      int rate = EncoderFactory.audioSpec(base).sampleRate();
      sweeps.add(EncoderLimit.sweep("audio", t -> EncoderFactory.audio(withThreads(base, t)), TorchThreads::applyNow,
          workload.audio(samples, new AudioDecoder(limits, rate)), cores, maxBatchSize, limitSeconds));
      return sweeps;
    } finally {
      TorchThreads.applyNow(torchBefore);
    }
  }

  private static EncoderSettings withThreads(EncoderSettings base, int threads) {
    return base.withOnnxThreads(threads).withTorchThreads(threads);
  }

  private Repetition repetition(int rep, PipelineRun.Environment env, Workload workload, Map<String, Double> best,
      PrintWriter out) throws Exception {
    PhaseResult on;
    PhaseResult textOnly;
    PhaseResult imageOnly;
    PhaseResult audioOnly;
    PhaseResult latency;
    double sessionsPerSecond;
    progress(out, rep, "batching on: starting a fresh app");
    try (PipelineRun run = PipelineRun.start(env, "r" + rep + "on", pipelineSettings(maxBatchSize),
        warmUpSessions + sessions + textSessions + 2 * modalitySessions)) {
      run.throughput("warmup", workload, warmUpSessions);
      progress(out, rep, "batching on: throughput run");
      on = run.throughput("throughput", workload, sessions);
      progress(out, rep, "batching on: text-only run");
      textOnly = run.modalityOnly("text", workload, textSessions, Modality.TEXT);
      progress(out, rep, "batching on: image-only run");
      imageOnly = run.modalityOnly("image", workload, modalitySessions, Modality.IMAGE);
      progress(out, rep, "batching on: audio-only run");
      audioOnly = run.modalityOnly("audio", workload, modalitySessions, Modality.AUDIO);
      sessionsPerSecond = rate != null ? rate
          : Double.isNaN(on.windowsPerSecond()) ? 1.0 : Math.max(0.1, on.windowsPerSecond() / 2);
      progress(out, rep, String.format(Locale.ROOT, "batching on: latency run at %.2f sessions/s", sessionsPerSecond));
      latency = run.latency("latency", workload, latencySessions, sessionsPerSecond);
    }
    PhaseResult off;
    progress(out, rep, "batching off: starting a fresh app");
    try (PipelineRun run = PipelineRun.start(env, "r" + rep + "off", pipelineSettings(1),
        warmUpSessions + sessions)) {
      run.throughput("warmup", workload, warmUpSessions);
      progress(out, rep, "batching off: throughput run");
      off = run.throughput("throughput", workload, sessions);
    }
    double bound = Repetition.latencyBoundMs(idleTimeoutMs, maxBatchDelayMs, on.slowestBatchMs(), commitIntervalMs);
    return new Repetition(on, off, textOnly, imageOnly, audioOnly, latency, best, sessionsPerSecond, bound);
  }

  private void progress(PrintWriter out, int rep, String what) {
    out.printf(Locale.ROOT, "[repetition %d/%d] %s%n", rep, repetitions, what);
    out.flush();
  }

  /** The pipeline settings under test; batch size 1 turns batching off. */
  private Map<String, String> pipelineSettings(int batchSize) {
    Map<String, String> s = new HashMap<>();
    s.put(FusionConfig.WINDOW_SIZE_MS, Long.toString(windowMs));
    s.put(FusionConfig.WINDOW_GRACE_MS, Long.toString(graceMs));
    s.put(FusionConfig.WINDOW_IDLE_TIMEOUT_MS, Long.toString(idleTimeoutMs));
    s.put(FusionConfig.MAX_BATCH_SIZE, Integer.toString(batchSize));
    s.put(FusionConfig.MAX_BATCH_DELAY_MS, Long.toString(maxBatchDelayMs));
    s.put("commit.interval.ms", Long.toString(commitIntervalMs));
    s.put(FusionConfig.ENCODER_DEVICE, device);
    s.putAll(properties);
    return s;
  }

  private Path train(Path work, PrintWriter out) throws Exception {
    out.printf(Locale.ROOT, "Training a small fusion model on %d synthetic sessions (not measured)...%n", trainSessions);
    out.flush();
    Path models = work.resolve("models");
    TrainCommand.trainOnSynthetic(work.resolve("dataset"), trainSessions, seed + 1, models, "--epochs", "3");
    return models;
  }

  private PipelineReport.Setup setup() {
    return new PipelineReport.Setup(Runtime.getRuntime().availableProcessors(), sessions, perModality, windowMs,
        graceMs, idleTimeoutMs, maxBatchSize, maxBatchDelayMs, commitIntervalMs, textSessions, modalitySessions,
        latencySessions, warmUpSessions, repetitions, partitions, limitSeconds,
        new FusionConfig(pipelineSettings(maxBatchSize)).threads().describe(), Map.copyOf(properties));
  }

  private void writeJson(PipelineReport report) throws IOException {
    Path parent = json.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report.json());
  }

  private void validate() {
    if (sessions <= 0 || perModality <= 0 || latencySessions <= 0 || textSessions <= 0 || repetitions <= 0
        || modalitySessions <= 0 || !(limitSeconds > 0) || commitIntervalMs <= 0
        || warmUpSessions < 0 || partitions <= 0 || phaseTimeoutSeconds <= 0 || trainSessions < 10) {
      throw new ParameterException(spec.commandLine(), "counts must be positive (--train-sessions at least 10)");
    }
    if (windowMs <= 0 || graceMs < 0 || idleTimeoutMs <= 0 || maxBatchSize <= 0 || maxBatchDelayMs < 0) {
      throw new ParameterException(spec.commandLine(), "window, idle timeout and batch size must be positive");
    }
    if (rate != null && !(rate > 0)) {
      throw new ParameterException(spec.commandLine(), "--rate must be positive");
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a temp directory left behind is harmless
    }
  }
}
