package io.fusionstream.cli;

import io.fusionstream.monitor.FusionMetrics;
import io.fusionstream.produce.SyntheticStream;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.Modality;
import io.fusionstream.serde.AvroDeserializer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Watches the demo from the outside: reads the predictions topic like any consumer would, checks
 * every generated session window gets its prediction, and keeps one status line up to date.
 */
final class DemoTracker implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final AvroDeserializer<FusedPrediction> avro;
  private final String topic;
  private final FusionMetrics metrics;
  private final PrintStream out;
  private final Set<String> expected = ConcurrentHashMap.newKeySet();
  private final Set<String> fused = new HashSet<>();
  private final Set<String> seen = new HashSet<>();
  private final Map<String, Integer> correct = new TreeMap<>();
  private final Map<String, String> truth = new HashMap<>();
  private int predictions;
  private int matches;
  private long lastDraw;

  DemoTracker(Map<String, Object> clientSettings, String topic, FusionMetrics metrics, PrintStream out) {
    Map<String, Object> props = new HashMap<>(clientSettings);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "fusion-demo-tracker-" + UUID.randomUUID());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    this.avro = new AvroDeserializer<>(new io.fusionstream.serde.RestSchemaRegistryClient(props), FusedPrediction.class);
    this.topic = topic;
    this.metrics = metrics;
    this.out = out;
    List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    parts.forEach(consumer::position); // fix the start before anything is produced
  }

  void expect(SyntheticStream.Session s) {
    String key = s.id() + "@" + s.windowStart();
    expected.add(key);
    truth.put(key, s.label());
  }

  boolean allFused() {
    return !expected.isEmpty() && fused.containsAll(expected);
  }

  /** Reads what arrived and redraws the status line at most twice a second. */
  void refresh() {
    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ZERO)) {
      FusedPrediction p = avro.deserialize(r.topic(), r.value());
      String key = p.getSessionId() + "@" + p.getWindowStart().toEpochMilli();
      seen.add(key);
      if (expected.contains(key) && fused.add(key)) {
        predictions++;
        if (p.getLabel().equals(truth.get(key))) {
          matches++;
        }
        correct.merge(p.getLabel(), 1, Integer::sum);
      }
    }
    long now = System.nanoTime();
    if (now - lastDraw > 500_000_000L) {
      lastDraw = now;
      out.print("\r" + statusLine() + "   ");
      out.flush();
    }
  }

  String statusLine() {
    MeterRegistry reg = metrics.registry();
    String events = List.of(Modality.TEXT, Modality.IMAGE, Modality.AUDIO).stream()
        .map(m -> m.name().toLowerCase(Locale.ROOT) + " " + (long) count(reg, "fusion.events.in", "modality", m.name().toLowerCase(Locale.ROOT)))
        .collect(Collectors.joining(", "));
    double dead = reg.find("fusion.dead.letters").counters().stream().mapToDouble(Counter::count).sum();
    String labels = correct.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    // Both window counts come from the predictions this tracker has read: the pipeline's own
    // counter runs ahead of what a read_committed consumer sees until the next commit.
    return String.format(Locale.ROOT, "events in: %s | windows fused %d (this run's sessions: %d/%d) | %s | e2e p50 %s p99 %s | dead letters %d",
        events, seen.size(), fused.size(), expected.size(), labels.isEmpty() ? "no predictions yet" : labels,
        ms(metrics.endToEndQuantileSeconds(0.5)), ms(metrics.endToEndQuantileSeconds(0.99)), (long) dead);
  }

  private static double count(MeterRegistry reg, String name, String tag, String value) {
    Counter c = reg.find(name).tag(tag, value).counter();
    return c == null ? 0 : c.count();
  }

  private static String ms(double seconds) {
    return Double.isNaN(seconds) || seconds <= 0 ? "-" : String.format(Locale.ROOT, "%.0f ms", seconds * 1000);
  }

  /** Waits up to {@code stragglers} for missing predictions, then prints the summary. */
  void finish(Duration stragglers) {
    long until = System.nanoTime() + stragglers.toNanos();
    while (!allFused() && System.nanoTime() < until) {
      refresh();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    refresh();
    out.println();
    out.println(statusLine());
    out.printf(Locale.ROOT, "Summary: %d session windows generated, %d fused, %d missing; predicted label matched the generator's in %d of %d%n",
        expected.size(), fused.size(), expected.stream().filter(k -> !fused.contains(k)).count(), matches, predictions);
  }

  @Override
  public void close() {
    consumer.close(Duration.ofMillis(500)); // no group, nothing to commit: never wait on the broker
    avro.close();
  }
}
