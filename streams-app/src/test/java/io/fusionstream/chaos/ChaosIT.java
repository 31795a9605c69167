package io.fusionstream.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fusionstream.cli.TrainCommand;
import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.dev.TopicSpecs;
import io.fusionstream.registry.EmbeddedSchemaRegistry;
import io.fusionstream.schema.FusedPrediction;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No single producer can stop the pipeline. On the in-process broker, under exactly-once, the real
 * application runs as a child JVM with a bounded heap, and every kind of bad record of
 * {@link ChaosKinds} is sent to it, each followed by a good session. For every kind: (a) the bad
 * record is a dead letter with the expected reason (or, where nothing can be dead-lettered, a
 * counter rises), (b) the good session after it is predicted within {@link #GOOD_PREDICTION_WITHIN},
 * (c) the child is alive; at the end (d) every good session window is predicted exactly once and
 * /health answers UP.
 *
 * <p>Kinds are sent one after the other, each judged before the next is sent, so a failure names
 * the kind that caused it. When a kind leaves the application stuck or dead, a fresh instance (new
 * application id, reading from the end of the topics) takes over, so that one undefended kind does
 * not fail every kind after it; that kind has failed already, and the restart is reported. The
 * child's output is in {@code target/chaos-child.log}.
 */
@Tag("integration")
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class ChaosIT {
  static final Duration GOOD_PREDICTION_WITHIN = Duration.ofSeconds(15);
  /**
   * Kinds pass in about 2 s each; one that leaves the application stuck costs its 15 s and a
   * restart. Past this budget the remaining kinds are reported as not run.
   */
  private static final Duration KINDS_BUDGET = Duration.ofMinutes(11);
  private static final long WINDOW_MS = 1_000;
  /** Larger than the largest record any kind sends, unless the topic specs already allow more. */
  private static final int INPUT_MAX_MESSAGE_BYTES = 12 * 1024 * 1024;

  /** What one kind came to. */
  record Result(Kind kind, Kind.Ids ids, Kind.Sent sent, String reasons, double secondsToGood, boolean alive,
      List<String> failures) {
    boolean ok() {
      return failures.isEmpty();
    }

    boolean predicted() {
      return !Double.isNaN(secondsToGood);
    }
  }

  @Test
  void noSingleBadRecordStopsThePipeline(@TempDir Path dir) throws Exception {
    Path childLog = Path.of(System.getProperty("basedir", "."), "target", "chaos-child.log");
    Files.deleteIfExists(childLog);
    Path modelDir = dir.resolve("models");
    TrainCommand.trainOnSynthetic(dir.resolve("dataset"), 40, 5, modelDir, "--epochs", "2");

    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
         EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).start()) {
      FusionConfig config = new FusionConfig(fusionSettings(modelDir));
      createTopics(kafka, config);
      ChaosState state = new ChaosState(modelDir);
      List<Result> results = new ArrayList<>();
      List<String> restarts = new ArrayList<>();
      try (OutputTail tail = new OutputTail(kafka.bootstrapServers(), registry.url(), config.predictionsTopic(),
               config.dlqTopic());
           Sender sender = new Sender(kafka.bootstrapServers(), registry.url(), config, state)) {
        int generation = 0;
        state.app = startApp(dir, kafka, registry, modelDir, generation, childLog);
        warmUp(state.app, sender, tail, generation);

        long budgetEnd = System.nanoTime() + KINDS_BUDGET.toNanos();
        List<ChaosKinds.Group> groups = ChaosKinds.groups();
        List<Kind> kinds = groups.stream().flatMap(g -> g.kinds().stream()).toList();
        for (ChaosKinds.Group group : groups) {
          System.out.println("CHAOS group '" + group.name() + "'");
          for (Kind kind : group.kinds()) {
            Result r = System.nanoTime() < budgetEnd
                ? run(kind, sender, tail, state.app)
                : notRun(kind, "not run: the suite's time budget of " + KINDS_BUDGET.toMinutes()
                    + " min went on restarts after earlier failures");
            results.add(r);
            print(r, state.app);
            String stuck = r.sent() == null ? null : stuck(r, state.app);
            if (stuck != null && kind != kinds.get(kinds.size() - 1) && System.nanoTime() < budgetEnd) {
              generation++;
              String why = "after '" + kind.name() + "': " + stuck;
              restarts.add(why);
              System.out.println("CHAOS restarting the application as chaos-app-" + generation + " " + why);
              state.app.close();
              state.app = startApp(dir, kafka, registry, modelDir, generation, childLog);
              warmUp(state.app, sender, tail, generation);
            }
          }
        }

        // (d) every good session window exactly once; wait for stragglers, then look for duplicates.
        Map<String, Long> expectedWindows = new LinkedHashMap<>();
        results.stream().filter(r -> r.sent() != null)
            .forEach(r -> expectedWindows.put(r.ids().session(), r.sent().sessionAtMs() / WINDOW_MS * WINDOW_MS));
        awaitQuietly(Duration.ofSeconds(5), () -> expectedWindows.keySet().stream()
            .allMatch(s -> !tail.predictionsOf(s).isEmpty()));
        Thread.sleep(2_000);
        Map<String, Integer> seen = new TreeMap<>();
        for (OutputTail.Prediction p : tail.predictions()) {
          seen.merge(p.value().getSessionId() + "@" + p.value().getWindowStart().toEpochMilli(), 1, Integer::sum);
        }
        List<String> missing = new ArrayList<>();
        expectedWindows.forEach((s, w) -> {
          if (!seen.containsKey(s + "@" + w)) {
            missing.add(s + "@" + w);
          }
        });
        List<String> duplicated = seen.entrySet().stream().filter(e -> e.getValue() > 1)
            .map(e -> e.getKey() + " x" + e.getValue()).toList();
        List<String> unexpected = seen.keySet().stream()
            .filter(k -> expectedWindows.containsKey(k.substring(0, k.lastIndexOf('@'))))
            .filter(k -> !expectedWindows.get(k.substring(0, k.lastIndexOf('@')))
                .equals(Long.parseLong(k.substring(k.lastIndexOf('@') + 1))))
            .toList();
        boolean aliveAtEnd = state.app.alive();
        String healthAtEnd = state.app.health();
        boolean upAtEnd = state.app.healthUp();

        long ok = results.stream().filter(Result::ok).count();
        System.out.printf(Locale.ROOT, "CHAOS total: %d kinds, %d OK, %d FAIL; %d good session windows, %d missing, "
                + "%d duplicated, %d in an unexpected window; %d restarts; child alive %s, health %s; log %s%n",
            results.size(), ok, results.size() - ok, expectedWindows.size(), missing.size(), duplicated.size(),
            unexpected.size(), restarts.size(), aliveAtEnd, healthAtEnd, childLog.toAbsolutePath());

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(results.size()).as("kinds run").isGreaterThanOrEqualTo(30);
        for (Result r : results) {
          soft.assertThat(r.failures()).as("kind '%s' (%s)", r.kind().name(), r.kind().topic()).isEmpty();
        }
        soft.assertThat(missing).as("(d) good session windows without a prediction").isEmpty();
        soft.assertThat(duplicated).as("(d) session windows predicted more than once").isEmpty();
        soft.assertThat(unexpected).as("(d) good sessions predicted in another window").isEmpty();
        soft.assertThat(restarts).as("application instances replaced because a group left them stuck").isEmpty();
        soft.assertThat(aliveAtEnd).as("(c) child process alive at the end").isTrue();
        soft.assertThat(upAtEnd).as("/health UP at the end: %s", healthAtEnd).isTrue();
        soft.assertAll();
      } finally {
        if (state.app != null) {
          state.app.close();
        }
      }
    }
  }

  /** Sends one kind's bad input and good session, and judges it before the next kind is sent. */
  private static Result run(Kind kind, Sender sender, OutputTail tail, ChildApp app) {
    try {
      return judge(kind, kind.scenario().run(sender, kind.ids()), null, tail, app);
    } catch (Exception e) {
      return judge(kind, new Kind.Sent(List.of(), System.currentTimeMillis(), Map.of(), null, Double.NaN),
          "could not send: " + e, tail, app);
    }
  }

  private static Result notRun(Kind kind, String why) {
    return new Result(kind, kind.ids(), null, "-", Double.NaN, false, List.of(why));
  }

  private static void print(Result r, ChildApp app) {
    System.out.printf(Locale.ROOT, "CHAOS %-4s %-40s %-9s reason %-26s good prediction %-7s %s%s%n",
        r.ok() ? "OK" : "FAIL", r.kind().name(), r.kind().topic(), r.reasons(),
        r.predicted() ? String.format(Locale.ROOT, "%.1f s", r.secondsToGood()) : "none", app.name(),
        r.ok() ? "" : "  <- " + String.join("; ", r.failures()));
  }

  private static Result judge(Kind kind, Kind.Sent sent, String sendError, OutputTail tail, ChildApp app) {
    Kind.Ids ids = kind.ids();
    List<String> failures = new ArrayList<>();
    if (sendError != null) {
      failures.add(sendError);
    }
    long deadline = sent.sessionAtMs() + GOOD_PREDICTION_WITHIN.toMillis();
    Kind.Expect expect = kind.expect();
    String session = ids.session();

    // (b) the good session's prediction; (a) the dead letter, awaited within the same deadline.
    awaitQuietly(until(deadline), () -> !tail.predictionsOf(session).isEmpty());
    if (expect.check() != Kind.Check.NONE && expect.check() != Kind.Check.COUNTER) {
      awaitQuietly(until(deadline), () -> letters(tail, kind, sent).stream().anyMatch(l -> expect.accepts(l.reason())));
    }
    List<OutputTail.Prediction> predictions = tail.predictionsOf(session);
    double seconds = Double.NaN;
    if (predictions.isEmpty()) {
      failures.add("(b) no prediction for " + session + " within " + GOOD_PREDICTION_WITHIN.toSeconds() + " s");
    } else {
      OutputTail.Prediction first = predictions.get(0);
      seconds = (first.arrivedMs() - sent.sessionAtMs()) / 1000.0;
      FusedPrediction p = first.value();
      if (seconds > GOOD_PREDICTION_WITHIN.toSeconds()) {
        failures.add(String.format(Locale.ROOT, "(b) prediction after %.1f s", seconds));
      }
      Map<String, Integer> counts = new TreeMap<>(p.getModalityEventCounts());
      if (kind.insideSession() && !counts.equals(new TreeMap<>(sent.counts()))) {
        failures.add("the session's prediction counts " + counts + ", expected " + new TreeMap<>(sent.counts()));
      }
      if (sent.modelVersion() != null && !sent.modelVersion().equals(p.getModelVersion())) {
        failures.add("predicted by model " + p.getModelVersion() + ", expected the old " + sent.modelVersion());
      }
    }

    List<OutputTail.Letter> letters = letters(tail, kind, sent);
    String reasons = letters.isEmpty() ? "-" : letters.stream().map(l -> String.valueOf(l.reason())).distinct()
        .collect(Collectors.joining(","));
    switch (expect.check()) {
      case NONE -> {
        if (!letters.isEmpty()) {
          failures.add("(a) a valid input was dead-lettered: " + reasons);
        }
      }
      case COUNTER -> {
        double after = app.counter(expect.value());
        reasons = expect.value() + " " + fmt(sent.counterBefore()) + "->" + fmt(after);
        if (!(after > sent.counterBefore())) {
          failures.add("(a) " + expect.value() + " did not rise on /metrics (" + fmt(sent.counterBefore()) + " -> "
              + fmt(after) + ")");
        }
      }
      default -> {
        if (letters.stream().noneMatch(l -> expect.accepts(l.reason()))) {
          failures.add("(a) expected a dead letter with " + expect + ", found " + (letters.isEmpty() ? "none" : reasons));
        }
      }
    }
    boolean alive = app.alive();
    if (!alive) {
      failures.add("(c) the application process died");
    }
    return new Result(kind, ids, sent, reasons, seconds, alive, failures);
  }

  /**
   * The dead letters of a kind: keyed by its bad record's key, or carrying the source coordinates of
   * one of its bad records. A good session's key is the bad key only where the bad input is one of
   * that session's events.
   */
  private static List<OutputTail.Letter> letters(OutputTail tail, Kind kind, Kind.Sent sent) {
    String key = kind.ids().badKey();
    return tail.letters().stream().filter(l -> key.equals(l.key()) || sent.bad().stream().anyMatch(m -> from(l, m)))
        .toList();
  }

  private static boolean from(OutputTail.Letter l, RecordMetadata m) {
    return m.topic().equals(l.topic()) && String.valueOf(m.partition()).equals(l.partition())
        && String.valueOf(m.offset()).equals(l.offset());
  }

  /**
   * Why the application cannot be trusted with the next kind, or null: a kind that left it dead,
   * stuck or unhealthy must not fail the kinds after it as well.
   */
  private static String stuck(Result r, ChildApp app) {
    if (!app.alive()) {
      return "the process died";
    }
    if (!r.predicted()) {
      return "its good session was not predicted";
    }
    if (!app.healthUp()) {
      return "health " + app.health();
    }
    return null;
  }

  /**
   * Waits for the application to predict a probe session: the first one also loads the encoders'
   * native code; a fresh instance reading from the end must first have its positions. Probes are
   * sent again until one is predicted.
   */
  private static void warmUp(ChildApp app, Sender sender, OutputTail tail, int generation) throws Exception {
    app.awaitReady(Duration.ofSeconds(120));
    for (int attempt = 0; attempt < 12; attempt++) {
      String probe = "probe-" + generation + "-" + attempt;
      sender.goodSession(probe, List.of());
      if (awaitQuietly(GOOD_PREDICTION_WITHIN, () -> !tail.predictionsOf(probe).isEmpty())) {
        return;
      }
      if (!app.alive()) {
        break;
      }
    }
    throw new AssertionError(app.name() + " predicted no probe session; see target/chaos-child.log");
  }

  private static ChildApp startApp(Path dir, EmbeddedKafka kafka, EmbeddedSchemaRegistry registry, Path modelDir,
      int generation, Path log) throws IOException {
    Map<String, String> settings = new HashMap<>(fusionSettings(modelDir));
    settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    settings.put("schema.registry.url", registry.url());
    settings.put(StreamsConfig.APPLICATION_ID_CONFIG, "chaos-app-" + generation);
    settings.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state-" + generation).toString());
    settings.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    if (generation > 0) {
      // A replacement skips what its predecessor was stuck on.
      settings.put("auto.offset.reset", "latest");
    }
    Properties props = new Properties();
    props.putAll(settings);
    Path file = dir.resolve("chaos-app-" + generation + ".properties");
    try (Writer out = Files.newBufferedWriter(file)) {
      props.store(out, "ChaosIT child settings");
    }
    return ChildApp.start("chaos-app-" + generation, file, log);
  }

  private static Map<String, String> fusionSettings(Path modelDir) {
    Map<String, String> s = new HashMap<>();
    s.put(FusionConfig.MODEL_DIR, modelDir.toString());
    s.put(FusionConfig.MODEL_POLL_MS, "500");
    s.put(FusionConfig.HTTP_HOST, "127.0.0.1");
    s.put(FusionConfig.HTTP_PORT, "0");
    s.put(FusionConfig.ENCODER_DEVICE, "cpu");
    s.put(FusionConfig.WINDOW_SIZE_MS, Long.toString(WINDOW_MS));
    s.put(FusionConfig.WINDOW_GRACE_MS, "200");
    s.put(FusionConfig.WINDOW_IDLE_TIMEOUT_MS, "500");
    s.put(FusionConfig.MAX_BATCH_DELAY_MS, "20");
    s.put(FusionConfig.EVENT_TIME_MAX_AGE_MS, Long.toString(Duration.ofDays(1).toMillis()));
    return s;
  }

  /**
   * The pipeline's topics as {@link TopicSpecs} defines them, one partition each; input topics
   * whose specs do not allow the 9 MiB record get a larger max.message.bytes, so that the record
   * reaches the application instead of being refused by the broker.
   */
  private static void createTopics(EmbeddedKafka kafka, FusionConfig config) {
    Set<String> inputs = Set.of(config.textTopic(), config.imageTopic(), config.audioTopic());
    List<NewTopic> topics = new ArrayList<>();
    for (NewTopic t : TopicSpecs.all(config, 1, (short) 1, Duration.ofHours(1).toMillis())) {
      if (t.name().equals(TopicSpecs.SCHEMAS_TOPIC)) {
        continue; // the registry made its own
      }
      Map<String, String> configs = new HashMap<>(t.configs() == null ? Map.of() : t.configs());
      String max = configs.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
      if (inputs.contains(t.name()) && (max == null || Integer.parseInt(max) < INPUT_MAX_MESSAGE_BYTES)) {
        configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(INPUT_MAX_MESSAGE_BYTES));
      }
      topics.add(new NewTopic(t.name(), t.numPartitions(), t.replicationFactor()).configs(configs));
    }
    kafka.createTopics(topics);
  }

  private static Duration until(long deadlineMs) {
    return Duration.ofMillis(Math.max(1, deadlineMs - System.currentTimeMillis()));
  }

  /** Awaitility, answering whether the condition held in time instead of throwing. */
  private static boolean awaitQuietly(Duration atMost, BooleanSupplier condition) {
    try {
      await().atMost(atMost).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
          .until(condition::getAsBoolean);
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.0f", v);
  }
}
