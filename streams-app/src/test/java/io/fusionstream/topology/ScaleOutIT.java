package io.fusionstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.monitor.ConsumerLagGauges;
import io.fusionstream.monitor.FusionMetrics;
import io.fusionstream.monitor.PrometheusText;
import io.fusionstream.monitor.RestoreProgress;
import io.fusionstream.registry.EmbeddedSchemaRegistry;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.serde.RestSchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's scale-out on the in-process broker: the pipeline runs on inputs with 2
 * partitions, is stopped, the inputs are raised to 4 partitions, more sessions arrive (some on the
 * new partitions), and the pipeline starts again, on an empty state directory as a new instance
 * would. It must run (it used to fail in a loop on the repartition topic's partition count) and
 * every session window, before and after, must have exactly one prediction. Meanwhile the consumer
 * lag on {@code fusion_input_lag_records} rises by exactly the records sent while it was stopped
 * and falls to zero once it runs, and the new instance reports the state it restored.
 */
@Tag("integration")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ScaleOutIT {
  private static final String APPLICATION_ID = "fusion-scale-out";
  private static final long WINDOW_MS = 5_000;
  private static final int PARTITIONS_BEFORE = 2;
  private static final int PARTITIONS_AFTER = 4;

  @Test
  void raisingInputPartitionsKeepsEveryWindowExactlyOnce(@TempDir Path dir) throws Exception {
    Map<String, Object> settings = new HashMap<>();
    settings.put(FusionConfig.WINDOW_SIZE_MS, WINDOW_MS);
    // As in MonitoredPipelineIT: sessions from the recent past, emitted by the idle timeout once in.
    settings.put(FusionConfig.WINDOW_GRACE_MS, 15_000L);
    settings.put(FusionConfig.WINDOW_IDLE_TIMEOUT_MS, 2_000L);
    settings.put(FusionConfig.MAX_BATCH_SIZE, 8);
    FusionConfig unresolved = new FusionConfig(settings);
    List<String> inputs = List.of(unresolved.textTopic(), unresolved.imageTopic(), unresolved.audioTopic());
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
         EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).start();
         Admin admin = kafka.admin();
         FusionMetrics lagMetrics = new FusionMetrics();
         ConsumerLagGauges lag = new ConsumerLagGauges(
             Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), APPLICATION_ID, inputs,
             lagMetrics.registry()).start(Duration.ofMillis(300));
         KafkaProducer<String, SpecificRecord> producer =
             ClusterSupport.producer(kafka.bootstrapServers(), registry.url())) {
      kafka.createTopics(PARTITIONS_BEFORE, inputs.toArray(String[]::new));
      kafka.createTopics(1, unresolved.predictionsTopic(), unresolved.dlqTopic());
      String repartition = InternalTopics.repartitionTopic(APPLICATION_ID);

      InternalTopics.Resolution first = InternalTopics.resolve(admin, unresolved, APPLICATION_ID);
      assertThat(first.partitions()).isEqualTo(FusionConfig.DEFAULT_REPARTITION_PARTITIONS);

      long base = (System.currentTimeMillis() - 120_000) / WINDOW_MS * WINDOW_MS;
      Map<String, Set<Long>> expected = new TreeMap<>();
      AtomicInteger failures = new AtomicInteger();

      // Before: four sessions, one window each.
      List<String> before = List.of("session-0", "session-1", "session-2", "session-3");
      try (KafkaStreams streams = start(kafka, registry, first, settings, dir.resolve("state-1"), failures, null,
          Map.of())) {
        sendWindow(producer, unresolved, before, base, expected);
        assertThat(readPredictions(kafka, registry, unresolved, count(expected))).hasSize(count(expected));
        await().atMost(Duration.ofSeconds(30)).until(() -> inputLag(lagMetrics, inputs) == 0);
        streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
            .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
      }
      assertThat(InternalTopics.partitionCounts(admin, List.of(repartition)))
          .containsEntry(repartition, FusionConfig.DEFAULT_REPARTITION_PARTITIONS);

      // Stopped: the operator adds input partitions and sessions keep arriving, some on the new partitions.
      Map<String, NewPartitions> raise = new HashMap<>();
      inputs.forEach(t -> raise.put(t, NewPartitions.increaseTo(PARTITIONS_AFTER)));
      admin.createPartitions(raise).all().get();
      List<String> after = new ArrayList<>(before);
      after.addAll(sessionsOnNewPartitions(2));
      int sent = sendWindow(producer, unresolved, after, base + 2 * WINDOW_MS, expected);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        PrometheusText scrape = new PrometheusText(lagMetrics.scrape());
        assertThat(inputLag(lagMetrics, inputs)).as("lag while stopped").isEqualTo(sent);
        assertThat(scrape.find("fusion_input_lag_records", "topic", unresolved.textTopic()))
            .as("one series per text partition, new ones included").hasSize(PARTITIONS_AFTER);
      });

      // Restart as a new instance: no local state, the repartition topic's count kept.
      InternalTopics.Resolution second = InternalTopics.resolve(admin, unresolved, APPLICATION_ID);
      assertThat(second.partitions()).isEqualTo(FusionConfig.DEFAULT_REPARTITION_PARTITIONS);
      assertThat(second.explanation()).contains("exists");
      FusionMetrics restoreMetrics = new FusionMetrics();
      RestoreProgress restore = new RestoreProgress(restoreMetrics.registry());
      List<ConsumerRecord<String, FusedPrediction>> out;
      try (KafkaStreams streams = start(kafka, registry, second, settings, dir.resolve("state-2"), failures, restore,
          Map.of(APPLICATION_ID + "-" + FusionTopology.ENCODE_PENDING_STORE + "-changelog", PARTITIONS_AFTER))) {
        out = readPredictions(kafka, registry, unresolved, count(expected));
        await().atMost(Duration.ofSeconds(30)).until(() -> inputLag(lagMetrics, inputs) == 0);
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
      }

      Map<String, Integer> counts = new TreeMap<>();
      out.forEach(r -> counts.merge(r.value().getSessionId() + "@" + r.value().getWindowStart().toEpochMilli(), 1,
          Integer::sum));
      Map<String, Integer> wanted = new TreeMap<>();
      expected.forEach((s, windows) -> windows.forEach(w -> wanted.put(s + "@" + w, 1)));
      System.out.printf("scale-out: %d records sent while stopped, %d predictions for %d windows, %d restored, "
              + "thread failures %d%n", sent, out.size(), wanted.size(),
          (long) restoreMetrics.registry().find("fusion.restore.records").counters().stream()
              .mapToDouble(c -> c.count()).sum(), failures.get());
      assertThat(failures).as("stream thread failures").hasValue(0);
      assertThat(counts).as("predictions per session window").isEqualTo(wanted);
      assertThat(new PrometheusText(restoreMetrics.scrape()).find("fusion_restore_records_total"))
          .as("the new instance restored the stores' changelogs").isNotEmpty()
          .anySatisfy(s -> assertThat(s.value()).isPositive());
      assertThat(new PrometheusText(restoreMetrics.scrape()).find("fusion_restore_records_remaining"))
          .allSatisfy(s -> assertThat(s.value()).isZero());
      assertThat(InternalTopics.partitionCounts(admin, List.of(repartition)))
          .containsEntry(repartition, FusionConfig.DEFAULT_REPARTITION_PARTITIONS);
      restoreMetrics.close();
    }
  }

  private static KafkaStreams start(EmbeddedKafka kafka, EmbeddedSchemaRegistry registry,
      InternalTopics.Resolution partitions, Map<String, Object> settings, Path stateDir, AtomicInteger failures,
      RestoreProgress restore, Map<String, Integer> grown) {
    Map<String, Object> resolved = new HashMap<>(settings);
    resolved.put(FusionConfig.REPARTITION_PARTITIONS, partitions.partitions());
    FusionConfig config = new FusionConfig(resolved);
    CountingPipelineMetrics metrics = new CountingPipelineMetrics();
    var topology = FusionTopology.builder(config,
            new RestSchemaRegistryClient(Map.of("schema.registry.url", registry.url())))
        .text(FunctionEncoder.words()).image(FunctionEncoder.colours()).audio(FunctionEncoder.loudness(), 8_000)
        .fusionModel(new MeanFusionModel()).metrics(metrics).build();
    Properties props = StreamsConfigFactory.create(config, Map.of(
        StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID,
        StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        StreamsConfig.STATE_DIR_CONFIG, stateDir.toString()), metrics);
    assertThat(InternalTopics.growInputSideChangelogs(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        kafka.bootstrapServers()), topology, APPLICATION_ID, Duration.ofSeconds(30)))
        .as("changelogs grown").isEqualTo(grown);
    KafkaStreams streams = new KafkaStreams(topology, props);
    streams.setUncaughtExceptionHandler(e -> {
      failures.incrementAndGet();
      System.out.println("scale-out: stream thread failed: " + e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    if (restore != null) {
      streams.setGlobalStateRestoreListener(restore);
    }
    streams.start();
    return streams;
  }

  /** One window of text, image and audio per session, starting at {@code windowStart}; returns the records sent. */
  private static int sendWindow(KafkaProducer<String, SpecificRecord> producer, FusionConfig config,
      List<String> sessions, long windowStart, Map<String, Set<Long>> expected) throws Exception {
    int sent = 0;
    for (int s = 0; s < sessions.size(); s++) {
      String session = sessions.get(s);
      long t = windowStart + 100L * s;
      producer.send(new ProducerRecord<>(config.textTopic(), session,
          TopologyFixture.textEvent(session, t, "customer " + s + " sounds fine")));
      producer.send(new ProducerRecord<>(config.imageTopic(), session,
          TopologyFixture.imageEvent(session, t + 500, 8, 30 * s)));
      producer.send(new ProducerRecord<>(config.audioTopic(), session,
          TopologyFixture.audioEvent(session, t + 900, 800, (short) (500 * (s + 1)))));
      sent += 3;
      expected.computeIfAbsent(session, k -> new TreeSet<>()).add(windowStart);
    }
    producer.flush();
    return sent;
  }

  /** Session ids the default partitioner puts on partitions that exist only after the raise. */
  private static List<String> sessionsOnNewPartitions(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 100; out.size() < n; i++) {
      String session = "session-" + i;
      int partition = Utils.toPositive(Utils.murmur2(session.getBytes(StandardCharsets.UTF_8))) % PARTITIONS_AFTER;
      if (partition >= PARTITIONS_BEFORE) {
        out.add(session);
      }
    }
    return out;
  }

  private static List<ConsumerRecord<String, FusedPrediction>> readPredictions(EmbeddedKafka kafka,
      EmbeddedSchemaRegistry registry, FusionConfig config, int total) {
    try (var reader = ClusterSupport.predictionReader(kafka.bootstrapServers(), registry.url())) {
      return ClusterSupport.readUntil(reader, config.predictionsTopic(), Duration.ofSeconds(120),
          Duration.ofSeconds(4), r -> r.size() >= total);
    }
  }

  /** Lag summed over the input topics' partitions; -1 until it has been measured. */
  private static double inputLag(FusionMetrics metrics, List<String> inputs) {
    List<PrometheusText.Sample> samples = new PrometheusText(metrics.scrape()).find("fusion_input_lag_records")
        .stream().filter(s -> inputs.contains(s.labels().get("topic"))).toList();
    return samples.isEmpty() ? -1 : samples.stream().mapToDouble(PrometheusText.Sample::value).sum();
  }

  private static int count(Map<String, Set<Long>> expected) {
    return expected.values().stream().mapToInt(Set::size).sum();
  }
}
