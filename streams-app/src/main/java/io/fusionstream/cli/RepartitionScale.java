package io.fusionstream.cli;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.monitor.ConsumerLag;
import io.fusionstream.topology.InternalTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Changing the repartition topic's partition count, which Kafka Streams cannot do in place: every
 * session moves to another partition of it, so the window state (keyed the same way) must be
 * rebuilt too. The procedure, stated before it is run:
 *
 * <ol>
 *   <li>the application must be stopped (its consumer group has no members);
 *   <li>what is in flight (encoded events not yet windowed, windows still open) is rebuilt from the
 *       inputs: the group's input offsets move back by a span that covers an open window, from the
 *       newest committed input record;
 *   <li>every internal topic is deleted, so Kafka Streams recreates them at the new count;
 *   <li>the operator sets {@code fusion.repartition.partitions}, empties the instances' state
 *       directories, and starts them.
 * </ol>
 *
 * Windows that closed within the span before the stop are predicted a second time, with the same
 * session and window start; nothing is lost.
 */
final class RepartitionScale {

  /** What the procedure will do; {@link #blockers} non-empty means it must not run. */
  record Plan(String applicationId, String repartitionTopic, Integer currentPartitions, int targetPartitions,
      List<String> members, long repartitionLag, Duration rewind, Instant rewindTo,
      Map<TopicPartition, Long> newInputOffsets, Map<TopicPartition, Long> committedInputOffsets,
      List<String> internalTopics, List<String> blockers) {

    long recordsToReread() {
      long n = 0;
      for (Map.Entry<TopicPartition, Long> e : newInputOffsets.entrySet()) {
        n += committedInputOffsets.getOrDefault(e.getKey(), e.getValue()) - e.getValue();
      }
      return n;
    }

    /** The procedure, as the operator reads it before anything happens. */
    List<String> describe(String stateDir) {
      List<String> out = new ArrayList<>();
      out.add("Change " + repartitionTopic + " from "
          + (currentPartitions == null ? "(not created yet)" : currentPartitions) + " to " + targetPartitions
          + " partitions, application " + applicationId + ":");
      out.add("  1. Check that the application is stopped: consumer group " + applicationId + " has "
          + (members.isEmpty() ? "no members. OK" : members.size() + " members: " + String.join(", ", members)));
      out.add("  2. Rebuild what is in flight from the inputs: " + repartitionLag
          + " encoded events not yet windowed, and the windows open at the stop. Move the group's input offsets"
          + " back " + rewind.toMillis() + " ms from the newest committed input record"
          + (rewindTo == null ? " (no committed input offsets: nothing to move)" : ", to " + rewindTo)
          + ": " + recordsToReread() + " records on " + newInputOffsets.size() + " partitions are read again."
          + " Windows that closed in that span are predicted a second time (same session and window start).");
      out.add("  3. Delete the internal topics; Kafka Streams recreates them: "
          + (internalTopics.isEmpty() ? "(none exist)" : String.join(", ", internalTopics)));
      out.add("  4. You: set " + FusionConfig.REPARTITION_PARTITIONS + "=" + targetPartitions
          + " in the configuration of every instance.");
      out.add("  5. You: empty every instance's state directory " + stateDir + "/" + applicationId
          + " (or give the instances new volumes): its stores belong to the old partitioning.");
      out.add("  6. You: start the instances.");
      blockers.forEach(b -> out.add("Cannot proceed: " + b));
      return out;
    }
  }

  private RepartitionScale() {}

  static Plan plan(Admin admin, Map<String, Object> clientSettings, FusionConfig config, String applicationId,
      int target, Duration rewind) throws ExecutionException, InterruptedException {
    String repartition = InternalTopics.repartitionTopic(applicationId);
    Integer current = InternalTopics.partitionCounts(admin, List.of(repartition)).get(repartition);
    List<String> members = new ArrayList<>();
    try {
      ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(applicationId)).all().get()
          .get(applicationId);
      group.members().forEach(m -> members.add(m.consumerId() + " (" + m.host() + ")"));
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof GroupIdNotFoundException)) {
        throw e;
      }
    }
    List<String> inputs = List.of(config.textTopic(), config.imageTopic(), config.audioTopic());
    Map<TopicPartition, Long> lag = ConsumerLag.measure(admin, applicationId, inputs);
    long repartitionLag = lag.entrySet().stream().filter(e -> e.getKey().topic().equals(repartition))
        .mapToLong(Map.Entry::getValue).sum();
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
    TreeMap<TopicPartition, Long> committedInputs = new TreeMap<>(
        java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    committed.forEach((tp, o) -> {
      if (o != null && inputs.contains(tp.topic())) {
        committedInputs.put(tp, o.offset());
      }
    });
    Long newest = newestTimestamp(clientSettings, committedInputs);
    Instant rewindTo = newest == null ? null : Instant.ofEpochMilli(newest - rewind.toMillis());
    Map<TopicPartition, Long> moved = new TreeMap<>(committedInputs.comparator());
    if (rewindTo != null && !committedInputs.isEmpty()) {
      Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
      committedInputs.keySet().forEach(tp -> specs.put(tp, OffsetSpec.forTimestamp(rewindTo.toEpochMilli())));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> found = admin.listOffsets(specs).all().get();
      committedInputs.forEach((tp, offset) -> {
        ListOffsetsResult.ListOffsetsResultInfo info = found.get(tp);
        // No record at or after the time: the partition has nothing in the span; keep its position.
        long at = info == null || info.offset() < 0 ? offset : Math.min(offset, info.offset());
        moved.put(tp, at);
      });
    }
    List<String> internal = InternalTopics.list(admin, applicationId);
    List<String> blockers = new ArrayList<>();
    if (!members.isEmpty()) {
      blockers.add("stop every instance of " + applicationId + " first (the group has " + members.size()
          + " members)");
    }
    if (current != null && current == target) {
      blockers.add(repartition + " already has " + target + " partitions");
    }
    return new Plan(applicationId, repartition, current, target, List.copyOf(members), repartitionLag, rewind,
        rewindTo, moved, committedInputs, internal, List.copyOf(blockers));
  }

  /** Steps 2 and 3; the plan must have no blockers. */
  static List<String> execute(Admin admin, Plan plan) throws ExecutionException, InterruptedException {
    if (!plan.blockers().isEmpty()) {
      throw new IllegalStateException(String.join("; ", plan.blockers()));
    }
    List<String> done = new ArrayList<>();
    if (!plan.newInputOffsets().isEmpty()) {
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      plan.newInputOffsets().forEach((tp, o) -> offsets.put(tp, new OffsetAndMetadata(o)));
      admin.alterConsumerGroupOffsets(plan.applicationId(), offsets).all().get();
      done.add("Moved the input offsets of " + offsets.size() + " partitions back (" + plan.recordsToReread()
          + " records to read again).");
    }
    if (!plan.internalTopics().isEmpty()) {
      admin.deleteTopics(plan.internalTopics()).all().get();
      done.add("Deleted " + plan.internalTopics().size() + " internal topics.");
    }
    return done;
  }

  /** The newest timestamp among the last committed record of each partition; null when none. */
  private static Long newestTimestamp(Map<String, Object> clientSettings, Map<TopicPartition, Long> committed) {
    Map<String, Object> props = new HashMap<>(clientSettings);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    Long newest = null;
    try (KafkaConsumer<byte[], byte[]> consumer =
             new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      for (Map.Entry<TopicPartition, Long> e : committed.entrySet()) {
        if (e.getValue() <= 0) {
          continue;
        }
        consumer.assign(List.of(e.getKey()));
        consumer.seek(e.getKey(), e.getValue() - 1);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Long ts = null;
        boolean fetched = false;
        while (!fetched && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            fetched = true;
            // Only records the group had consumed; a transaction marker at the end reads as none.
            if (r.offset() < e.getValue()) {
              ts = ts == null ? r.timestamp() : Math.max(ts, r.timestamp());
            }
          }
        }
        if (ts != null) {
          newest = newest == null ? ts : Math.max(newest, ts);
        }
      }
    }
    return newest;
  }
}
