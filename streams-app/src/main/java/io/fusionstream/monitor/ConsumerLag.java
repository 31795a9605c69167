package io.fusionstream.monitor;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The consumer lag of an application's group, measured from the brokers with an admin client:
 * for each partition, the last stable offset minus the group's committed offset.
 *
 * <p>Measured this way rather than from the consumers' own {@code records-lag} metrics because
 * those exist only on the instance that owns a partition and only while it runs: a stopped or
 * rebalancing application, exactly when lag grows, reports none. Partitions of the input topics
 * that the group never committed (new partitions, or before the first commit) count from the log
 * start, which is where Kafka Streams (auto.offset.reset=earliest) will read them from.
 */
public final class ConsumerLag {
  private ConsumerLag() {}

  /**
   * Lag per partition of every topic the group has committed offsets for, and of every partition
   * of {@code inputTopics}; sorted by topic and partition. Offsets are read committed, so
   * transaction markers of exactly-once writers do not count as lag.
   */
  public static Map<TopicPartition, Long> measure(Admin admin, String groupId, Collection<String> inputTopics)
      throws ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    committed.forEach((tp, offset) -> {
      if (offset != null) {
        latest.put(tp, OffsetSpec.latest());
      }
    });
    Set<String> existing = admin.listTopics().names().get();
    var inputs = inputTopics.stream().filter(existing::contains).toList();
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    if (!inputs.isEmpty()) {
      for (TopicDescription d : admin.describeTopics(inputs).allTopicNames().get().values()) {
        d.partitions().forEach(p -> {
          TopicPartition tp = new TopicPartition(d.name(), p.partition());
          latest.put(tp, OffsetSpec.latest());
          if (committed.get(tp) == null) {
            earliest.put(tp, OffsetSpec.earliest());
          }
        });
      }
    }
    if (latest.isEmpty()) {
      return Map.of();
    }
    ListOffsetsOptions readCommitted = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest, readCommitted).all().get();
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts =
        earliest.isEmpty() ? Map.of() : admin.listOffsets(earliest, readCommitted).all().get();
    Map<TopicPartition, Long> lag = new TreeMap<>(
        java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    ends.forEach((tp, end) -> {
      OffsetAndMetadata c = committed.get(tp);
      long from = c != null ? c.offset() : starts.get(tp).offset();
      lag.put(tp, Math.max(0, end.offset() - from));
    });
    return lag;
  }
}
