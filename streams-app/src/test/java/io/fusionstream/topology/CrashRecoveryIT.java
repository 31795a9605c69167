package io.fusionstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.registry.EmbeddedSchemaRegistry;
import io.fusionstream.schema.FusedPrediction;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application runs as a child JVM and is killed with SIGKILL three times at random moments
 * while sessions stream in (they stream from before the first start until after the last restart),
 * and started again each time. Afterwards the predictions topic, read
 * committed, holds exactly one prediction for every session window that received an event, and
 * each prediction counts exactly the acknowledged events of its window, per modality: an event
 * lost in a batch or counted twice after a replay shows up there even when the window itself was
 * predicted once.
 */
@Tag("integration")
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class CrashRecoveryIT {
  private static final int SESSIONS = 10;
  private static final Duration AFTER_LAST_RESTART = Duration.ofSeconds(5);
  private static final int KILLS = 3;

  @Test
  void everySessionWindowIsPredictedExactlyOnceAcrossKills(@TempDir Path dir) throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    FusionConfig config = CrashTestApp.config();
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
         EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).start()) {
      kafka.createTopics(2, config.textTopic(), config.imageTopic(), config.audioTopic());
      kafka.createTopics(1, config.predictionsTopic(), config.dlqTopic());
      Path stateDir = Files.createDirectories(dir.resolve("state"));

      // Windows that got at least one acknowledged event: session -> window starts.
      Map<String, Set<Long>> expected = new ConcurrentHashMap<>();
      // Acknowledged events per session window ("session@start") and modality.
      Map<String, Map<String, Integer>> expectedCounts = new ConcurrentHashMap<>();
      AtomicLong produced = new AtomicLong();
      AtomicBoolean producing = new AtomicBoolean(true);
      Thread producer = new Thread(() -> produce(kafka.bootstrapServers(), registry.url(), config, expected,
          expectedCounts, produced, producing), "session-producer");

      List<Process> children = new ArrayList<>();
      Process app = startApp(kafka, registry, stateDir, dir, children.size());
      children.add(app);
      producer.start();
      int kills = 0;
      try {
        while (kills < KILLS) {
          waitUntilRunning(dir, children.size() - 1);
          long delay = 1_000 + random.nextInt(6_000);
          Thread.sleep(delay);
          app.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no commit, no flush
          kills++;
          System.out.printf("crash test: kill %d after %d ms of running (%d events produced so far)%n",
              kills, delay, produced.get());
          app = startApp(kafka, registry, stateDir, dir, children.size());
          children.add(app);
        }
        waitUntilRunning(dir, children.size() - 1);
        Thread.sleep(AFTER_LAST_RESTART.toMillis()); // sessions keep streaming into the last instance
        producing.set(false);
        producer.join();

        int expectedWindows = expected.values().stream().mapToInt(Set::size).sum();
        List<ConsumerRecord<String, FusedPrediction>> out;
        try (var reader = ClusterSupport.predictionReader(kafka.bootstrapServers(), registry.url())) {
          out = ClusterSupport.readUntil(reader, config.predictionsTopic(), Duration.ofSeconds(150),
              Duration.ofSeconds(8), r -> distinct(r) >= expectedWindows);
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (ConsumerRecord<String, FusedPrediction> r : out) {
          counts.merge(key(r.value().getSessionId(), r.value().getWindowStart().toEpochMilli()), 1, Integer::sum);
        }
        List<String> missing = new ArrayList<>();
        expected.forEach((s, windows) -> windows.forEach(w -> {
          if (!counts.containsKey(key(s, w))) {
            missing.add(key(s, w));
          }
        }));
        List<String> duplicated = counts.entrySet().stream().filter(e -> e.getValue() > 1)
            .map(Map.Entry::getKey).toList();
        List<String> unexpected = counts.keySet().stream()
            .filter(k -> !expected.getOrDefault(k.substring(0, k.indexOf('@')), Set.of())
                .contains(Long.parseLong(k.substring(k.indexOf('@') + 1)))).toList();
        List<String> miscounted = new ArrayList<>();
        for (ConsumerRecord<String, FusedPrediction> r : out) {
          String k = key(r.value().getSessionId(), r.value().getWindowStart().toEpochMilli());
          Map<String, Integer> want = expectedCounts.getOrDefault(k, Map.of());
          Map<String, Integer> got = new TreeMap<>(r.value().getModalityEventCounts());
          if (!got.equals(new TreeMap<>(want))) {
            miscounted.add(k + " counted " + got + ", acknowledged " + new TreeMap<>(want));
          }
        }
        long acknowledged = expectedCounts.values().stream().flatMap(m -> m.values().stream())
            .mapToLong(Integer::longValue).sum();
        long counted = out.stream().flatMap(r -> r.value().getModalityEventCounts().values().stream())
            .mapToLong(Integer::longValue).sum();
        System.out.printf("crash test (seed %d): %d kills, %d events produced, %d session windows expected, "
                + "%d predictions read, %d distinct windows, %d missing, %d duplicated, %d unexpected, "
                + "%d events acknowledged, %d counted in predictions, %d windows miscounted%n",
            seed, kills, produced.get(), expectedWindows, out.size(), counts.size(), missing.size(),
            duplicated.size(), unexpected.size(), acknowledged, counted, miscounted.size());
        miscounted.stream().limit(10).forEach(m -> System.out.println("crash test: " + m));
        assertThat(kills).isEqualTo(KILLS);
        assertThat(missing).as("session windows without a prediction").isEmpty();
        assertThat(duplicated).as("session windows predicted more than once").isEmpty();
        assertThat(unexpected).as("predictions for windows nobody sent events to").isEmpty();
        assertThat(out).hasSize(expectedWindows);
        assertThat(miscounted).as("windows whose per-modality event counts differ from the acknowledged events")
            .isEmpty();
        assertThat(counted).as("events counted in predictions").isEqualTo(acknowledged);
      } finally {
        producing.set(false);
        for (Process p : children) {
          p.destroyForcibly().waitFor();
        }
        for (int i = 0; i < children.size(); i++) {
          Path log = dir.resolve("app-" + i + ".log");
          if (Files.exists(log)) {
            String name = "app-" + i;
            Files.readAllLines(log).stream().filter(l -> l.startsWith("METRICS") || l.contains(" ERROR ")).limit(5)
                .forEach(l -> System.out.println(name + ": " + l));
          }
        }
      }
    }
  }

  private static int distinct(List<ConsumerRecord<String, FusedPrediction>> records) {
    return (int) records.stream().map(r -> key(r.value().getSessionId(), r.value().getWindowStart().toEpochMilli()))
        .distinct().count();
  }

  private static String key(String session, long windowStart) {
    return session + "@" + windowStart;
  }

  /** Live sessions: event time is the wall clock; text every tick, images and audio less often. */
  private static void produce(String bootstrap, String registryUrl, FusionConfig config,
      Map<String, Set<Long>> expected, Map<String, Map<String, Integer>> expectedCounts, AtomicLong produced,
      AtomicBoolean producing) {
    try (KafkaProducer<String, SpecificRecord> producer = ClusterSupport.producer(bootstrap, registryUrl)) {
      for (int tick = 0; producing.get(); tick++) {
        for (int s = 0; s < SESSIONS; s++) {
          String session = "session-" + s;
          long t = System.currentTimeMillis();
          send(producer, config.textTopic(), session, TopologyFixture.textEvent(session, t, "tick " + tick + " of " + s),
              t, expected, expectedCounts, produced);
          if ((tick + s) % 2 == 0) {
            send(producer, config.imageTopic(), session, TopologyFixture.imageEvent(session, t, 8, tick % 250),
                t, expected, expectedCounts, produced);
          }
          if ((tick + s) % 3 == 0) {
            send(producer, config.audioTopic(), session,
                TopologyFixture.audioEvent(session, t, 800, (short) (100 * s + 1)), t, expected, expectedCounts, produced);
          }
        }
        Thread.sleep(200);
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void send(KafkaProducer<String, SpecificRecord> producer, String topic, String session,
      SpecificRecord event, long t, Map<String, Set<Long>> expected, Map<String, Map<String, Integer>> expectedCounts,
      AtomicLong produced) {
    String modality = modality(event);
    producer.send(new ProducerRecord<>(topic, session, event), (meta, error) -> {
      if (error == null) {
        long window = t - t % CrashTestApp.WINDOW_MS;
        expected.computeIfAbsent(session, k -> ConcurrentHashMap.newKeySet()).add(window);
        expectedCounts.computeIfAbsent(key(session, window), k -> new ConcurrentHashMap<>())
            .merge(modality, 1, Integer::sum);
        produced.incrementAndGet();
      }
    });
  }

  /** The key of {@code FusedPrediction.modality_event_counts} for this event. */
  private static String modality(SpecificRecord event) {
    if (event instanceof io.fusionstream.schema.TextEvent) {
      return "text";
    }
    return event instanceof io.fusionstream.schema.ImageFrameEvent ? "image" : "audio";
  }

  private static Process startApp(EmbeddedKafka kafka, EmbeddedSchemaRegistry registry, Path stateDir, Path dir,
      int index) throws IOException {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-XX:+UseSerialGC", "-cp", classpath,
        CrashTestApp.class.getName(), kafka.bootstrapServers(), registry.url(), stateDir.toString());
    File log = dir.resolve("app-" + index + ".log").toFile();
    pb.redirectErrorStream(true).redirectOutput(log);
    return pb.start();
  }

  private static void waitUntilRunning(Path dir, int index) throws Exception {
    Path log = dir.resolve("app-" + index + ".log");
    ClusterSupport.waitFor(() -> {
      try {
        return Files.exists(log) && Files.readString(log).contains("STATE RUNNING");
      } catch (IOException e) {
        return false;
      }
    }, Duration.ofSeconds(90), "app-" + index + " to reach RUNNING");
  }
}
