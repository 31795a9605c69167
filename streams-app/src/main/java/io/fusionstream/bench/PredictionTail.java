package io.fusionstream.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the predictions topic as a user would (read committed, so a prediction counts once it is
 * readable, after the pipeline's transaction commits) and notes when each session's first
 * prediction arrived, on the wall clock.
 */
final class PredictionTail implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<String, Long> arrivedMs = new ConcurrentHashMap<>();
  private final BiConsumer<String, Long> onArrival;
  private final Thread thread;
  private volatile boolean running = true;

  PredictionTail(String bootstrap, String topic) {
    this(bootstrap, topic, (session, wallMs) -> { });
  }

  /** {@code onArrival}: called on the tail's thread with each prediction's session and wall-clock ms. */
  PredictionTail(String bootstrap, String topic, BiConsumer<String, Long> onArrival) {
    this.onArrival = onArrival;
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-tail-" + UUID.randomUUID());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
    this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    this.thread = new Thread(this::poll, "bench-prediction-tail");
    thread.setDaemon(true);
    thread.start();
  }

  private void poll() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
          long now = System.currentTimeMillis();
          arrivedMs.putIfAbsent(r.key(), now);
          onArrival.accept(r.key(), now);
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  /** Wall-clock ms at which the session's prediction was first read, or null. */
  Long arrived(String sessionId) {
    return arrivedMs.get(sessionId);
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
