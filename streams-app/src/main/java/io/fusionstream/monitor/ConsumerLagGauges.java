package io.fusionstream.monitor;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the application group's {@link ConsumerLag} as {@code fusion_input_lag_records{topic,partition}},
 * polled on a thread of its own: the input topics and the internal repartition topic alike.
 *
 * <p>Every instance measures the whole group, so with several instances each exports the same
 * series: aggregate with {@code max by (topic, partition)} before summing. When a poll fails the
 * series are removed rather than left at their last value, so a graph shows a gap, not a flat line
 * that looks healthy.
 */
public final class ConsumerLagGauges implements AutoCloseable {
  static final String LAG = "fusion.input.lag.records";

  private static final Logger LOG = LoggerFactory.getLogger(ConsumerLagGauges.class);

  private final Admin admin;
  private final String groupId;
  private final List<String> inputTopics;
  private final MultiGauge gauge;
  private final ScheduledExecutorService executor;
  private final AtomicReference<Map<TopicPartition, Long>> latest = new AtomicReference<>(Map.of());
  private volatile boolean failing;

  public ConsumerLagGauges(Map<String, Object> clientConfig, String groupId, List<String> inputTopics,
      MeterRegistry registry) {
    this.groupId = Objects.requireNonNull(groupId, "groupId");
    this.inputTopics = List.copyOf(inputTopics);
    Map<String, Object> props = new HashMap<>(clientConfig);
    props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, groupId + "-lag-monitor");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    this.admin = Admin.create(props);
    this.gauge = MultiGauge.builder(LAG)
        .description("Records of the application's consumer group not yet processed, per topic and partition"
            + " (input topics and internal repartition topic), measured from the brokers")
        .register(registry);
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "consumer-lag");
      t.setDaemon(true);
      return t;
    });
  }

  /** Polls now and then every {@code interval}. */
  public ConsumerLagGauges start(Duration interval) {
    executor.scheduleWithFixedDelay(this::poll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** The last measured lag per partition; empty before the first poll or after a failed one. */
  public Map<TopicPartition, Long> latest() {
    return latest.get();
  }

  void poll() {
    try {
      Map<TopicPartition, Long> lag = ConsumerLag.measure(admin, groupId, inputTopics);
      List<MultiGauge.Row<?>> rows = new ArrayList<>();
      lag.forEach((tp, records) -> rows.add(MultiGauge.Row.of(
          Tags.of("topic", tp.topic(), "partition", Integer.toString(tp.partition())), records)));
      gauge.register(rows, true);
      latest.set(lag);
      if (failing) {
        LOG.info("Consumer lag of group {} is measured again", groupId);
        failing = false;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      gauge.register(List.of(), true);
      latest.set(Map.of());
      if (!failing) {
        LOG.warn("Cannot measure the consumer lag of group {}: {}", groupId, e.toString());
        failing = true;
      }
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(Duration.ofSeconds(5));
  }
}
