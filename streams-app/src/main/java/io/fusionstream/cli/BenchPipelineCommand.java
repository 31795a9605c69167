package io.fusionstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fusionstream.bench.BareEncoder;
import io.fusionstream.bench.PhaseResult;
import io.fusionstream.bench.PipelineReport;
import io.fusionstream.bench.PipelineRun;
import io.fusionstream.bench.Repetition;
import io.fusionstream.bench.Workload;
import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.encode.Encoder;
import io.fusionstream.encode.EncoderFactory;
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
 * {@code fusion bench pipeline}: the whole pipeline on the in-process broker, batching on against
 * batching off, a fixed-rate latency run, and the pipeline's text encoding against the bare encoder.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = {
      "Measures the pipeline end to end on an in-process Kafka broker and Schema Registry:",
      "events/s per modality and windows/s (as fast as possible), latency p50/p95/p99 at a fixed rate,",
      "average batch size per stage, peak heap and RSS, CPU seconds per 1,000 events; batching on",
      "against batching off (batch size 1), and pipeline text encoding against the bare encoder.",
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

  @Option(names = "--text-sessions", defaultValue = "300",
      description = "Text-only sessions of the text-encode comparison (default ${DEFAULT-VALUE}).")
  int textSessions;

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

  @Option(names = "--json", paramLabel = "FILE", description = "Also write every figure as JSON to FILE.")
  Path json;

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
      List<String> texts = workload.texts(textSessions);
      List<Repetition> reps = new ArrayList<>();
      try (Encoder<String> bare = EncoderFactory.text(new FusionConfig(pipelineSettings(maxBatchSize)).encoderSettings())) {
        for (int rep = 1; rep <= repetitions; rep++) {
          reps.add(repetition(rep, env, workload, bare, texts, out));
        }
      }
      PipelineReport report = new PipelineReport(setup(), reps);
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

  private Repetition repetition(int rep, PipelineRun.Environment env, Workload workload, Encoder<String> bare,
      List<String> texts, PrintWriter out) throws Exception {
    PhaseResult on;
    PhaseResult textOnly;
    PhaseResult latency;
    double sessionsPerSecond;
    progress(out, rep, "batching on: starting a fresh app");
    try (PipelineRun run = PipelineRun.start(env, "r" + rep + "on", pipelineSettings(maxBatchSize),
        warmUpSessions + sessions + textSessions)) {
      run.throughput("warmup", workload, warmUpSessions);
      progress(out, rep, "batching on: throughput run");
      on = run.throughput("throughput", workload, sessions);
      progress(out, rep, "batching on: text-only run");
      textOnly = run.textOnly("text", workload, textSessions);
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
    progress(out, rep, "bare text encoder");
    double bareRate = BareEncoder.itemsPerSecond(bare, texts, maxBatchSize, 3);
    double bound = Repetition.latencyBoundMs(graceMs, idleTimeoutMs, maxBatchDelayMs, on.slowestBatchMs());
    return new Repetition(on, off, textOnly, latency, bareRate, sessionsPerSecond, bound);
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
    s.put("commit.interval.ms", "100");
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
        graceMs, idleTimeoutMs, maxBatchSize, maxBatchDelayMs, textSessions, latencySessions, warmUpSessions,
        repetitions, partitions);
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
