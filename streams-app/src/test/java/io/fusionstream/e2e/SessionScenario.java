package io.fusionstream.e2e;

import io.fusionstream.app.FusionApp;
import io.fusionstream.cli.TrainCommand;
import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.TopicSpecs;
import io.fusionstream.produce.EventPublisher;
import io.fusionstream.produce.SyntheticStream;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.serde.AvroDeserializer;
import io.fusionstream.serde.RestSchemaRegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The end-to-end scenario, whatever runs Kafka and the registry: create the topics, train a small
 * model, start the application, produce generated sessions, and count the predictions of every
 * expected session window (read committed).
 */
public final class SessionScenario {
  private static final long WINDOW_MS = 4_000;

  public record Result(Set<String> expected, Map<String, Integer> predictionsPerWindow) {}

  private SessionScenario() {}

  public static Result run(String bootstrap, String registryUrl, Path workDir, int sessions) throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put("bootstrap.servers", bootstrap);
    settings.put("schema.registry.url", registryUrl);
    settings.put("application.id", "scenario-" + UUID.randomUUID());
    settings.put("state.dir", workDir.resolve("state").toString());
    settings.put("commit.interval.ms", "200");
    settings.put(FusionConfig.MODEL_DIR, workDir.resolve("models").toString());
    settings.put(FusionConfig.HTTP_PORT, "0");
    settings.put(FusionConfig.WINDOW_SIZE_MS, Long.toString(WINDOW_MS));
    settings.put(FusionConfig.WINDOW_GRACE_MS, "1000");
    settings.put(FusionConfig.WINDOW_IDLE_TIMEOUT_MS, "1000");
    FusionConfig config = new FusionConfig(settings);
    Map<String, Object> client = Map.of("bootstrap.servers", bootstrap, "schema.registry.url", registryUrl);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicSpecs.createMissing(admin, TopicSpecs.all(config, 3, (short) 1, 3_600_000L));
    }
    TrainCommand.trainOnSynthetic(workDir.resolve("dataset"), 60, 11, workDir.resolve("models"), "--epochs", "5");
    Set<String> expected = new HashSet<>();
    try (FusionApp app = FusionApp.start(settings);
        KafkaConsumer<String, byte[]> consumer = consumer(bootstrap, config.predictionsTopic());
        EventPublisher publisher = new EventPublisher(config, client)) {
      SyntheticStream stream = new SyntheticStream(5, WINDOW_MS);
      for (int i = 0; i < sessions; i++) {
        SyntheticStream.Session s = stream.next("scenario-" + i, Instant.now().plusMillis(500L * i));
        SyntheticStream.send(publisher, s);
        expected.add(s.id() + "@" + s.windowStart());
      }
      publisher.flush();
      AvroDeserializer<FusedPrediction> avro = new AvroDeserializer<>(
          new RestSchemaRegistryClient(Map.of("schema.registry.url", registryUrl)), FusedPrediction.class);
      Map<String, Integer> seen = new HashMap<>();
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      long settleUntil = Long.MAX_VALUE;
      // Read until every expected window arrived, then a few seconds more to catch duplicates.
      while (System.nanoTime() < Math.min(deadline, settleUntil)) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          FusedPrediction p = avro.deserialize(r.topic(), r.value());
          seen.merge(p.getSessionId() + "@" + p.getWindowStart().toEpochMilli(), 1, Integer::sum);
        }
        if (settleUntil == Long.MAX_VALUE && seen.keySet().containsAll(expected)) {
          settleUntil = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        }
      }
      return new Result(expected, seen);
    }
  }

  private static KafkaConsumer<String, byte[]> consumer(String bootstrap, String topic) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "scenario-check-" + UUID.randomUUID());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    c.assign(parts);
    c.seekToBeginning(parts);
    return c;
  }
}
