package io.fusionstream.monitor;

import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.topology.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the predictions topic and the dead-letter topic from their current ends and hands what
 * arrives to the {@link DashboardFeed}: each prediction, and each dead letter with its reason,
 * source topic, partition, offset and error message (from the dead letter's headers).
 *
 * <p>Reading the topics rather than hooking into the topology shows every instance's output on
 * every instance's dashboard, and only committed output ({@code read_committed}, as a downstream
 * consumer sees it). It uses no consumer group and commits nothing: a restart starts at the end.
 */
public final class DashboardTopicTail implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DashboardTopicTail.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration RETRY_ASSIGN = Duration.ofSeconds(5);
  private static final Duration CLOSE_TIMEOUT = Duration.ofMillis(500);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String predictionsTopic;
  private final String deadLetterTopic;
  private final Deserializer<FusedPrediction> predictions;
  private final DashboardFeed feed;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean started = new AtomicBoolean(false);
  private final CountDownLatch assigned = new CountDownLatch(1);
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final Thread thread;

  /**
   * @param clientConfig Kafka client settings (bootstrap servers, security); group and
   *     deserializer settings are set here
   * @param predictions deserializer of the predictions topic's values (the Avro serde)
   */
  public DashboardTopicTail(Map<String, Object> clientConfig, String predictionsTopic, String deadLetterTopic,
      Deserializer<FusedPrediction> predictions, DashboardFeed feed) {
    this.predictionsTopic = Objects.requireNonNull(predictionsTopic, "predictionsTopic");
    this.deadLetterTopic = Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    this.predictions = Objects.requireNonNull(predictions, "predictions");
    this.feed = Objects.requireNonNull(feed, "feed");
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "fusionstream-dashboard-tail");
    this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "dashboard-topic-tail");
    this.thread.setDaemon(true);
  }

  public DashboardTopicTail start() {
    if (started.compareAndSet(false, true)) {
      thread.start();
    }
    return this;
  }

  /** Waits until both topics are assigned and positioned at their ends; false on timeout. */
  boolean awaitAssigned(Duration timeout) throws InterruptedException {
    return assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void run() {
    try {
      // The topics may not exist yet when the app starts: keep trying until both have partitions.
      while (running.get() && !assign()) {
        // wakeup() does not end a sleep; close() counts this latch down instead
        stopRequested.await(RETRY_ASSIGN.toMillis(), TimeUnit.MILLISECONDS);
      }
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          handle(record);
        }
      }
    } catch (WakeupException | InterruptedException e) {
      // close() asked us to stop.
    } catch (RuntimeException e) {
      LOG.warn("Dashboard tail of {} and {} stopped: the dashboard shows no new predictions or dead letters",
          predictionsTopic, deadLetterTopic, e);
    } finally {
      // No group and no commits: closing has nothing to flush, so never wait on a broker that is gone.
      consumer.close(CLOSE_TIMEOUT);
    }
  }

  private boolean assign() {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : List.of(predictionsTopic, deadLetterTopic)) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
      if (infos == null || infos.isEmpty()) {
        LOG.debug("Topic {} not found yet; the dashboard tail retries", topic);
        return false;
      }
      infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    // Resolve the end offsets now, so that records written after start() returns are all seen.
    partitions.forEach(consumer::position);
    assigned.countDown();
    return true;
  }

  private void handle(ConsumerRecord<byte[], byte[]> record) {
    if (record.topic().equals(predictionsTopic)) {
      if (record.value() == null) {
        return;
      }
      try {
        feed.onPrediction(predictions.deserialize(record.topic(), record.headers(), record.value()));
      } catch (RuntimeException e) {
        LOG.debug("Skipping undecodable prediction at {}-{}@{}", record.topic(), record.partition(),
            record.offset(), e);
      }
    } else {
      Headers h = record.headers();
      feed.onDeadLetter(header(h, DeadLetters.HEADER_REASON, "unknown"),
          header(h, DeadLetters.HEADER_TOPIC, "?"),
          parseInt(header(h, DeadLetters.HEADER_PARTITION, "-1")),
          parseLong(header(h, DeadLetters.HEADER_OFFSET, "-1")),
          header(h, DeadLetters.HEADER_MESSAGE, header(h, DeadLetters.HEADER_EXCEPTION, "")));
    }
  }

  private static String header(Headers headers, String name, String fallback) {
    Header h = headers.lastHeader(name);
    return h == null || h.value() == null ? fallback : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static int parseInt(String s) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    running.set(false);
    stopRequested.countDown();
    if (started.compareAndSet(false, true)) {
      consumer.close(Duration.ZERO); // never started: no thread owns the consumer
      return;
    }
    consumer.wakeup();
    try {
      thread.join(CLOSE_TIMEOUT.multipliedBy(4).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
