package io.fusionstream.cli;

import io.fusionstream.app.FusionApp;
import io.fusionstream.config.ConfigLoader;
import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.dev.TopicSpecs;
import io.fusionstream.fusion.ModelVersions;
import io.fusionstream.produce.EventPublisher;
import io.fusionstream.produce.SyntheticStream;
import io.fusionstream.registry.EmbeddedSchemaRegistry;
import io.fusionstream.serde.AvroSerdeConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
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

  @Option(names = {"-v", "--verbose"}, description = "Show stack traces on errors.")
  boolean verbose;

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
        stopped.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    }, "fusion-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    // The broker's formatter prints to standard output; our three address lines must come first.
    PrintStream stdout = System.out;
    System.setOut(System.err);
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(kafkaPort).dataDir(dir.resolve("kafka")).build();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(registryPort).start()) {
      System.setOut(stdout);
      out.println("Kafka bootstrap: localhost:" + kafkaPort(kafka));
      out.println("Schema registry: http://localhost:" + registry.port());
      out.println("Dashboard: http://localhost:" + httpPort + "/");
      out.flush();

      Map<String, String> settings = settings(dir, kafka, registry);
      FusionConfig config = new FusionConfig(settings);
      try (Admin admin = kafka.admin()) {
        TopicSpecs.createMissing(admin, TopicSpecs.all(config, 3, (short) 1, Duration.ofDays(1).toMillis()));
      }
      ensureModel(dir);
      try (FusionApp app = FusionApp.start(settings).leaveGroupOnClose();
          EventPublisher publisher = new EventPublisher(config, ConfigLoader.clientSettings(settings));
          DemoTracker tracker = new DemoTracker(ConfigLoader.clientSettings(settings), config.predictionsTopic(),
              app.monitoring().metrics(), out)) {
        runSessions(config, publisher, tracker, stop);
        tracker.finish();
      }
    } finally {
      System.setOut(stdout);
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running and waits for us
      }
    }
    return 0;
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
    s.put(FusionConfig.MODEL_DIR, dir.resolve("models").toString());
    s.put(FusionConfig.HTTP_PORT, Integer.toString(httpPort));
    s.put(FusionConfig.WINDOW_SIZE_MS, "10000");
    s.put(FusionConfig.WINDOW_GRACE_MS, "2000");
    s.put(FusionConfig.WINDOW_IDLE_TIMEOUT_MS, "2000");
    return s;
  }

  /** Reuses the newest model of an earlier run; else trains one on synthetic sessions. */
  private void ensureModel(Path dir) throws Exception {
    Path models = dir.resolve("models");
    Files.createDirectories(models);
    var newest = ModelVersions.newest(models);
    if (newest.isPresent()) {
      out.println("Model: reusing " + newest.get().getFileName() + " from " + models);
      return;
    }
    out.println("Model: none yet; generating " + trainSessions + " synthetic sessions and training one (once)...");
    TrainCommand.trainOnSynthetic(dir.resolve("dataset"), trainSessions, 42, models);
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
    publisher.flush();
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
