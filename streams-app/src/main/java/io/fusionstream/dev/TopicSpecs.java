package io.fusionstream.dev;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.topology.KafkaSizes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.config.TopicConfig;

/** The topics the pipeline needs, and their settings, in one place. */
public final class TopicSpecs {
  public static final String SCHEMAS_TOPIC = "_schemas";

  private TopicSpecs() {}

  /**
   * The inputs accept the largest event the input limits allow, and the dead-letter topic that
   * plus the error headers (see {@link KafkaSizes}); the broker's default of about 1 MiB would
   * refuse a valid 2 MB image, or the dead letter of a 1 MB one.
   */
  public static List<NewTopic> all(FusionConfig config, int partitions, short replication, long retentionMs) {
    String retention = Long.toString(retentionMs);
    KafkaSizes sizes = KafkaSizes.of(config);
    Map<String, String> input = Map.of(TopicConfig.RETENTION_MS_CONFIG, retention,
        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(sizes.maxInputRecordBytes()));
    Map<String, String> deadLetters = Map.of(TopicConfig.RETENTION_MS_CONFIG, retention,
        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(sizes.maxRecordBytes()));
    List<NewTopic> topics = new ArrayList<>();
    for (String name : List.of(config.textTopic(), config.imageTopic(), config.audioTopic())) {
      topics.add(new NewTopic(name, partitions, replication).configs(input));
    }
    topics.add(new NewTopic(config.predictionsTopic(), partitions, replication)
        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, retention)));
    topics.add(new NewTopic(config.dlqTopic(), partitions, replication).configs(deadLetters));
    // The registry's log: one partition so its order is total, compacted so it never expires.
    topics.add(new NewTopic(SCHEMAS_TOPIC, 1, replication)
        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
    return topics;
  }

  /** Creates the topics that do not exist yet; returns their names. */
  public static List<String> createMissing(Admin admin, List<NewTopic> topics)
      throws ExecutionException, InterruptedException {
    Set<String> existing = admin.listTopics().names().get();
    List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t.name())).toList();
    if (!missing.isEmpty()) {
      admin.createTopics(missing).all().get();
      awaitServed(admin, missing, Duration.ofSeconds(30));
    }
    return missing.stream().map(NewTopic::name).toList();
  }

  /**
   * The controller accepts a new topic before every broker serves its partitions: a client that
   * asks for offsets in between gets UnknownTopicOrPartition. Waits until each partition answers a
   * ListOffsets, so whatever runs next (a produce, {@code topics describe}) finds them ready.
   */
  static void awaitServed(Admin admin, List<NewTopic> topics, Duration timeout)
      throws ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    for (NewTopic t : topics) {
      for (int p = 0; p < Math.max(1, t.numPartitions()); p++) { // -1: the broker's default, at least one
        specs.put(new TopicPartition(t.name(), p), OffsetSpec.latest());
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        admin.listOffsets(specs).all().get();
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}
