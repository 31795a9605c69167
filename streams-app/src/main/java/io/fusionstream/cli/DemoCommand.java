package io.fusionstream.cli;

import io.fusionstream.app.FusionApp;
import io.fusionstream.config.ConfigLoader;
import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.dev.TopicSpecs;
import io.fusionstream.encode.DjlEncoder;
import io.fusionstream.encode.EncoderSettings;
import io.fusionstream.encode.Encoders;
import io.fusionstream.fusion.ModelDescription;
import io.fusionstream.fusion.ModelVersions;
import io.fusionstream.produce.EventPublisher;
import io.fusionstream.produce.SyntheticStream;
import io.fusionstream.registry.EmbeddedSchemaRegistry;
import io.fusionstream.serde.AvroSerdeConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Everything in one process: broker, registry, a model trained on synthetic sessions (or the one
 * from the last run), the pipeline, the dashboard, and a stream of generated sessions.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the whole product in-process: Kafka, Schema Registry, pipeline, dashboard and generated sessions.",
    footer = {"", "Examples:", "  ./fusion demo", "  ./fusion demo --sessions 20",
        "  ./fusion demo --rate 5 --duration 2m --http-port 9000",
        "", "While it runs, any Kafka client can join at the printed addresses, e.g.",
        "  ./fusion consume --follow --format table"})
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--kafka-port", defaultValue = "9092", description = "Port of the in-process broker (default ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(names = "--registry-port", defaultValue = "8081", description = "Port of the Schema Registry (default ${DEFAULT-VALUE}).")
  int registryPort;

  @Option(names = "--http-port", defaultValue = "8080", description = "Port of the dashboard, /metrics and /health (default ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--sessions", description = "Generate this many sessions, then stop once all their windows are fused.")
  Integer sessions;

  @Option(names = "--rate", defaultValue = "2", description = "New sessions per second (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--duration", converter = DurationConverter.class,
      description = "Stop after this long, e.g. 60s or 5m (default: until Ctrl-C, or until --sessions are done).")
  Duration duration;

  @Option(names = "--data-dir", description = "Kept between runs: broker data, state, model (default ~/.fusionstream/demo).")
  Path dataDir;

  @Option(names = "--train-sessions", defaultValue = "300", description = "Synthetic sessions to train the first model on (default ${DEFAULT-VALUE}).")
  int trainSessions;

  @Option(names = "--image-model", defaultValue = EncoderSettings.BUILTIN,
      description = "Image encoder: builtin, a model directory with model.json (tools/export_encoder.py), or a URL (default ${DEFAULT-VALUE}).")
  String imageModel;

  @Option(names = "--audio-model", defaultValue = EncoderSettings.BUILTIN,
      description = "Audio encoder, as --image-model (default ${DEFAULT-VALUE}).")
  String audioModel;

  @Option(names = "--torchscript-allow-writable",
      description = "Load a TorchScript model even from a file or directory this process can write"
          + " (fusion.encoder.torchscript.allow.writable; TorchScript is code, see docs/security.md).")
  boolean torchScriptAllowWritable;

  @Option(names = {"-v", "--verbose"}, description = "Show stack traces on errors.")
  boolean verbose;

  /** Everything after Ctrl-C must fit in this, shutdown hook included; see {@link FusionApp#CLOSE_TIMEOUT}. */
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Three labels make chance 0.33. One of thirteen trainings measured on the demo's data gave a
   * model that said "neutral" to everything (held-out 0.33, on a loaded machine) where the others
   * gave 0.88 to 0.89: such a run is retrained with another seed rather than shown to a user.
   */
  static final double MIN_HELD_OUT_ACCURACY = 0.6;
  static final int TRAINING_ATTEMPTS = 3;

  private final PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    if (rate <= 0) {
      throw new UsageException("--rate must be positive");
    }
    if (sessions != null && sessions < 1) {
      throw new UsageException("--sessions must be at least 1");
    }
    Path dir = dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".fusionstream", "demo");
    Files.createDirectories(dir);
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        // The JVM halts when this hook returns, whatever the main thread is still closing.
        stopped.await(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    }, "fusion-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    StartupConsole console = StartupConsole.hold();
    EmbeddedKafka kafka = null;
    EmbeddedSchemaRegistry registry = null;
    FusionApp app = null;
    List<String> unflushed = new ArrayList<>();
    try {
      kafka = EmbeddedKafka.builder().port(kafkaPort).dataDir(dir.resolve("kafka")).build();
      registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(registryPort).start();
      Map<String, String> settings = settings(dir, kafka, registry);
      FusionConfig config = new FusionConfig(settings);
      try (Admin admin = kafka.admin()) {
        TopicSpecs.createMissing(admin, TopicSpecs.all(config, 3, (short) 1, Duration.ofDays(1).toMillis()));
      }
      String provenance = ensureModel(dir);
      app = FusionApp.start(settings).leaveGroupOnClose();
      console.release();
      out.println("Kafka bootstrap: localhost:" + kafkaPort(kafka));
      out.println("Schema registry: http://localhost:" + registry.port());
      out.println("Dashboard: http://localhost:" + app.httpPort() + "/");
      out.println(modelLine(app, provenance));
      out.flush();

      Map<String, Object> producerSettings = new HashMap<>(ConfigLoader.clientSettings(settings));
      // A send waiting for metadata must not outlast Ctrl-C.
      producerSettings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) STOP_TIMEOUT.dividedBy(4).toMillis());
      EventPublisher publisher = new EventPublisher(config, producerSettings);
      try (DemoTracker tracker = new DemoTracker(ConfigLoader.clientSettings(settings), config.predictionsTopic(),
          app.monitoring().metrics(), out)) {
        try {
          runSessions(config, publisher, tracker, stop);
        } finally {
          if (!publisher.close(Duration.ofSeconds(1))) {
            unflushed.add("generated events not yet acknowledged by the broker were dropped");
          }
        }
        tracker.finish(stop.getCount() == 0 ? Duration.ZERO : Duration.ofSeconds(2));
      }
    } catch (Exception | Error e) {
      String held = console.release();
      if (!held.isBlank()) {
        System.err.print(held); // why start-up failed is usually in here
      }
      throw e;
    } finally {
      console.release();
      if (app != null) {
        unflushed.addAll(app.shutdown(FusionApp.CLOSE_TIMEOUT.minusSeconds(2)));
      }
      closeQuietly(registry);
      closeQuietly(kafka);
      if (!unflushed.isEmpty()) {
        System.err.println("fusion: stopped without flushing: " + String.join("; ", unflushed));
      }
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running and waits for us
      }
    }
    return 0;
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      System.err.println("fusion: " + e.getMessage());
    }
  }

  /** One line: which fusion model, where it came from, and which encoders on which device. */
  static String modelLine(FusionApp app, String provenance) {
    Encoders e = app.encoders();
    String encoders = Stream.of(e.text(), e.image(), e.audio())
        .map(enc -> enc.modality().name().toLowerCase(Locale.ROOT) + " " + enc.modelId()
            + (enc.modelId().startsWith("builtin-") ? " (baseline)" : ""))
        .collect(Collectors.joining(", "));
    String device = e.text() instanceof DjlEncoder<?> djl && djl.device().isGpu()
        ? "gpu:" + djl.device().getDeviceId() : "cpu";
    return "Model: fusion " + app.modelVersion() + " (" + provenance + ") on " + device + "; encoders " + encoders;
  }

  private static int kafkaPort(EmbeddedKafka kafka) {
    String s = kafka.bootstrapServers();
    return Integer.parseInt(s.substring(s.lastIndexOf(':') + 1));
  }

  private Map<String, String> settings(Path dir, EmbeddedKafka kafka, EmbeddedSchemaRegistry registry) {
    Map<String, String> s = new HashMap<>();
    s.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    s.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url());
    s.put(StreamsConfig.APPLICATION_ID_CONFIG, "fusionstream-demo");
    s.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
    s.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200");
    s.put(FusionConfig.MODEL_DIR, modelsDir(dir).toString());
    s.put(FusionConfig.ENCODER_IMAGE_MODEL, imageModel);
    s.put(FusionConfig.ENCODER_AUDIO_MODEL, audioModel);
    s.put(FusionConfig.ENCODER_TORCHSCRIPT_ALLOW_WRITABLE, Boolean.toString(torchScriptAllowWritable));
    s.put(FusionConfig.HTTP_PORT, Integer.toString(httpPort));
    s.put(FusionConfig.WINDOW_SIZE_MS, "10000");
    s.put(FusionConfig.WINDOW_GRACE_MS, "2000");
    s.put(FusionConfig.WINDOW_IDLE_TIMEOUT_MS, "2000");
    return s;
  }

  /**
   * Fusion models fit only the encoders they were trained on (the app refuses others), so each
   * choice of image and audio encoder keeps its own models, and switching back reuses them.
   */
  Path modelsDir(Path dir) {
    if (isBuiltin(imageModel) && isBuiltin(audioModel)) {
      return dir.resolve("models");
    }
    String key = imageModel + "\n" + audioModel;
    return dir.resolve("models-" + Integer.toHexString(key.hashCode()));
  }

  private static boolean isBuiltin(String model) {
    return model == null || model.isBlank() || model.trim().equalsIgnoreCase(EncoderSettings.BUILTIN);
  }

  /**
   * Reuses the newest model of an earlier run; else trains one on synthetic sessions. Returns
   * where the model came from, for the model line.
   */
  private String ensureModel(Path dir) throws Exception {
    Path models = modelsDir(dir);
    Files.createDirectories(models);
    var newest = ModelVersions.newest(models);
    if (newest.isPresent()) {
      return "from an earlier run" + heldOut(newest.get());
    }
    long started = System.nanoTime();
    Path version = null;
    for (int attempt = 0; attempt < TRAINING_ATTEMPTS; attempt++) {
      if (version != null) {
        deleteTree(version);
      }
      // Same generated sessions every time; another seed for the split, initialisation and shuffling.
      List<String> train = new ArrayList<>(List.of("--seed", Long.toString(42 + attempt),
          "--image-model", imageModel, "--audio-model", audioModel));
      if (torchScriptAllowWritable) {
        train.add("--torchscript-allow-writable");
      }
      TrainCommand.trainOnSynthetic(dir.resolve("dataset"), trainSessions, 42, models, train.toArray(String[]::new));
      version = ModelVersions.newest(models).orElseThrow(() -> new IllegalStateException("training published no model"));
      if (heldOutAccuracy(version) >= MIN_HELD_OUT_ACCURACY) {
        break;
      }
    }
    long seconds = Math.round((System.nanoTime() - started) / 1e9);
    return "trained now on " + trainSessions + " synthetic sessions in " + seconds + " s" + heldOut(version);
  }

  /** The accuracy training measured on its held-out sessions; NaN if the model does not say. */
  private static double heldOutAccuracy(Path version) {
    try {
      Object acc = ModelDescription.read(version).training().get("test_accuracy");
      return acc instanceof Number n ? n.doubleValue() : Double.NaN;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static String heldOut(Path version) {
    double acc = heldOutAccuracy(version);
    return Double.isNaN(acc) ? "" : String.format(Locale.ROOT, ", held-out accuracy %.2f", acc);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private void runSessions(FusionConfig config, EventPublisher publisher, DemoTracker tracker, CountDownLatch stop)
      throws InterruptedException {
    SyntheticStream stream = new SyntheticStream(System.nanoTime(), config.windowSize().toMillis());
    String runId = Long.toString(System.currentTimeMillis(), 36);
    long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
    long intervalNanos = (long) (1e9 / rate);
    long next = System.nanoTime();
    int sent = 0;
    while (stop.getCount() > 0 && System.nanoTime() < deadline) {
      if (sessions == null || sent < sessions) {
        if (System.nanoTime() >= next) {
          SyntheticStream.Session s = stream.next("demo-" + runId + "-" + sent, Instant.now());
          SyntheticStream.send(publisher, s);
          tracker.expect(s);
          sent++;
          next += intervalNanos;
        }
      } else if (duration == null) {
        publisher.flush();
        if (tracker.allFused()) {
          break;
        }
      }
      tracker.refresh();
      stop.await(Math.max(1, Math.min(200, (next - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Holds what is printed while the broker, the registry, training and the pipeline start (the
   * broker kit's formatter output, DJL's engine probing, our own start-up log lines), so the
   * addresses are the first lines a user reads. What was held is printed only if start-up fails.
   */
  static final class StartupConsole {
    private final PrintStream out;
    private final PrintStream err;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private boolean released;

    private StartupConsole() {
      this.out = System.out;
      this.err = System.err;
    }

    static StartupConsole hold() {
      StartupConsole c = new StartupConsole();
      if (System.console() != null) {
        c.err.print("fusion: starting Kafka, the Schema Registry and the pipeline (a first run also trains the demo model)...");
        c.err.flush();
      }
      PrintStream sink = new PrintStream(c.held, true, StandardCharsets.UTF_8);
      System.setOut(sink);
      System.setErr(sink);
      return c;
    }

    /** Puts the real streams back (once) and returns what was held. */
    synchronized String release() {
      if (!released) {
        released = true;
        System.setOut(out);
        System.setErr(err);
        if (System.console() != null) {
          err.print("\r\033[K"); // the addresses replace the "starting" note
          err.flush();
        }
      }
      return held.toString(StandardCharsets.UTF_8);
    }
  }

  /** Parses 90s, 5m, 1h, or ISO-8601 (PT5M). */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase();
      try {
        if (v.startsWith("pt")) {
          return Duration.parse(v.toUpperCase());
        }
        long n = Long.parseLong(v.replaceAll("[a-z]+$", ""));
        return switch (v.replaceAll("^[0-9]+", "")) {
          case "ms" -> Duration.ofMillis(n);
          case "s", "" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> throw new CommandLine.TypeConversionException("Unknown unit in '" + value + "'");
        };
      } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not a duration like 60s, 5m or 1h");
      }
    }
  }
}
