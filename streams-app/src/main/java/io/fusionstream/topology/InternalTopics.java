package io.fusionstream.topology;

import io.fusionstream.config.FusionConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.TopologyDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The internal topics Kafka Streams creates for the application (the repartition topic and the
 * store changelogs, all named {@code <application.id>-...}), and the partition count the
 * repartition topic must have.
 *
 * <p>Kafka Streams refuses to run when an existing internal topic's partition count differs from
 * the one the topology asks for, and replaces the failing thread in a loop. A repartition topic
 * sized from the inputs therefore broke the first restart after an operator added input
 * partitions; its count is now fixed by {@link FusionConfig#REPARTITION_PARTITIONS}, and an
 * unset key adopts whatever count the topic already has.
 */
public final class InternalTopics {
  private static final Logger log = LoggerFactory.getLogger(InternalTopics.class);

  private InternalTopics() {}

  /** {@code <application.id>-fusion-encoded-by-session-repartition}. */
  public static String repartitionTopic(String applicationId) {
    return applicationId + "-" + FusionTopology.REPARTITION + "-repartition";
  }

  /** Whether a topic is one of the application's repartition or changelog topics. */
  public static boolean isInternal(String applicationId, String topic) {
    return topic.startsWith(applicationId + "-")
        && (topic.endsWith("-repartition") || topic.endsWith("-changelog"));
  }

  /** The application's internal topics on the cluster, sorted by name. */
  public static List<String> list(Admin admin, String applicationId) throws ExecutionException, InterruptedException {
    return admin.listTopics().names().get().stream().filter(t -> isInternal(applicationId, t)).sorted().toList();
  }

  /** Partition counts of the topics that exist; missing ones are left out. */
  public static Map<String, Integer> partitionCounts(Admin admin, Iterable<String> topics)
      throws InterruptedException, ExecutionException {
    Map<String, Integer> out = new TreeMap<>();
    Set<String> existing = admin.listTopics().names().get();
    List<String> wanted = new java.util.ArrayList<>();
    topics.forEach(t -> {
      if (existing.contains(t)) {
        wanted.add(t);
      }
    });
    if (wanted.isEmpty()) {
      return out;
    }
    for (Map.Entry<String, TopicDescription> e : admin.describeTopics(wanted).allTopicNames().get().entrySet()) {
      out.put(e.getKey(), e.getValue().partitions().size());
    }
    return out;
  }

  /**
   * The repartition topic's partition count, and why.
   *
   * @param partitions what the topology will ask for
   * @param explanation one line for the start-up log
   */
  public record Resolution(int partitions, String explanation) {}

  /**
   * Decides the repartition topic's count before the topology is built: an explicit
   * {@code fusion.repartition.partitions} must match an existing topic (otherwise this fails with
   * the command that changes it, instead of Kafka Streams failing in a loop); an unset key keeps an
   * existing topic's count, so upgrading from a version that sized it from the inputs just works,
   * and a new topic gets the larger of the default and the input topics' count.
   */
  public static Resolution resolve(Admin admin, FusionConfig config, String applicationId)
      throws InterruptedException {
    String topic = repartitionTopic(applicationId);
    Map<String, Integer> counts;
    try {
      counts = partitionCounts(admin, List.of(topic, config.textTopic(), config.imageTopic(), config.audioTopic()));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        counts = Map.of();
      } else {
        throw new IllegalStateException("Cannot read the partition counts of " + topic + " and the input topics: "
            + e.getCause(), e.getCause());
      }
    }
    Optional<Integer> existing = Optional.ofNullable(counts.get(topic));
    int inputs = counts.entrySet().stream().filter(e -> !e.getKey().equals(topic)).mapToInt(Map.Entry::getValue)
        .max().orElse(0);
    int configured = config.repartitionPartitions();
    if (existing.isPresent()) {
      int actual = existing.get();
      if (config.repartitionPartitionsSet() && actual != configured) {
        throw new IllegalStateException("The repartition topic " + topic + " has " + actual + " partitions but "
            + FusionConfig.REPARTITION_PARTITIONS + " is " + configured + ". Stop every instance and run"
            + " ./fusion topics scale --repartition " + configured + " (see docs/production.md), or set "
            + FusionConfig.REPARTITION_PARTITIONS + "=" + actual + ".");
      }
      return new Resolution(actual, topic + " exists with " + actual + " partitions"
          + (config.repartitionPartitionsSet() ? " (as configured)" : "; kept"));
    }
    if (config.repartitionPartitionsSet()) {
      return new Resolution(configured, topic + " will be created with " + configured + " partitions (as configured)");
    }
    int chosen = Math.max(configured, inputs);
    return new Resolution(chosen, topic + " will be created with " + chosen + " partitions (the larger of "
        + configured + " and the input topics' " + inputs + ")");
  }

  /** As {@link #resolve}, with a timeout on the admin calls; logs the decision. */
  public static Resolution resolve(Map<String, Object> clientSettings, FusionConfig config, String applicationId,
      Duration timeout) {
    try (Admin admin = admin(clientSettings, timeout)) {
      Resolution r = resolve(admin, config, applicationId);
      log.info("Repartition topic: {}", r.explanation());
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while reading the repartition topic's partition count", e);
    }
  }

  /** As {@link #growInputSideChangelogs(Admin, org.apache.kafka.streams.Topology, String)}, with a timeout. */
  public static Map<String, Integer> growInputSideChangelogs(Map<String, Object> clientSettings,
      org.apache.kafka.streams.Topology topology, String applicationId, Duration timeout) {
    try (Admin admin = admin(clientSettings, timeout)) {
      return growInputSideChangelogs(admin, topology, applicationId);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while checking the changelogs' partition counts", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Cannot grow the changelogs to the input topics' partition count: "
          + e.getCause(), e.getCause());
    }
  }

  private static Admin admin(Map<String, Object> clientSettings, Duration timeout) {
    Map<String, Object> props = new HashMap<>(clientSettings);
    props.put("default.api.timeout.ms", (int) timeout.toMillis());
    props.put("request.timeout.ms", (int) Math.min(timeout.toMillis(), 30_000));
    return Admin.create(props);
  }

  /**
   * Changelogs of stores on the input side of the topology (the encode stage's pending batches),
   * mapped to the partition count they must have: the most partitions any input topic of their
   * sub-topology has. Kafka Streams gives such a store one changelog partition per input partition
   * and refuses to start when the counts differ, so adding input partitions invalidates them just
   * as it did the repartition topic.
   */
  public static Map<String, Integer> inputSideChangelogs(TopologyDescription topology, String applicationId,
      Map<String, Integer> topicPartitions) {
    Map<String, Integer> out = new TreeMap<>();
    for (TopologyDescription.Subtopology sub : topology.subtopologies()) {
      int partitions = 0;
      Set<String> stores = new java.util.TreeSet<>();
      boolean internalSource = false;
      for (TopologyDescription.Node node : sub.nodes()) {
        if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
          for (String topic : source.topicSet()) {
            internalSource |= isInternal(applicationId, topic) || topic.endsWith("-repartition");
            partitions = Math.max(partitions, topicPartitions.getOrDefault(topic, 0));
          }
        } else if (node instanceof TopologyDescription.Processor processor) {
          stores.addAll(processor.stores());
        }
      }
      if (!internalSource && partitions > 0) {
        for (String store : stores) {
          out.put(applicationId + "-" + store + "-changelog", partitions);
        }
      }
    }
    return out;
  }

  /**
   * Before Kafka Streams starts: adds partitions to the input-side changelogs where the inputs
   * grew. Partition i of such a changelog holds the state of the task reading input partition i,
   * and that pairing does not change when partitions are added, so the existing partitions keep
   * their state and the new ones start empty, as the new input partitions do. Returns the
   * changelogs grown, with their new counts.
   */
  public static Map<String, Integer> growInputSideChangelogs(Admin admin, org.apache.kafka.streams.Topology topology,
      String applicationId) throws ExecutionException, InterruptedException {
    TopologyDescription description = topology.describe();
    Set<String> sources = new java.util.TreeSet<>();
    description.subtopologies().forEach(sub -> sub.nodes().forEach(n -> {
      if (n instanceof TopologyDescription.Source source && source.topicSet() != null) {
        sources.addAll(source.topicSet());
      }
    }));
    Map<String, Integer> wanted = inputSideChangelogs(description, applicationId, partitionCounts(admin, sources));
    Map<String, Integer> existing = partitionCounts(admin, wanted.keySet());
    Map<String, org.apache.kafka.clients.admin.NewPartitions> grow = new TreeMap<>();
    Map<String, Integer> grown = new TreeMap<>();
    existing.forEach((changelog, count) -> {
      int target = wanted.get(changelog);
      if (count < target) {
        grow.put(changelog, org.apache.kafka.clients.admin.NewPartitions.increaseTo(target));
        grown.put(changelog, target);
        log.info("Input topics have {} partitions: growing changelog {} from {} to {} partitions", target,
            changelog, count, target);
      }
    });
    if (!grow.isEmpty()) {
      admin.createPartitions(grow).all().get();
    }
    return grown;
  }

  /** The size of one topic: records between the log start and end offsets, and bytes of one replica. */
  public record TopicSize(int partitions, long records, long bytes) {}

  /**
   * Records and bytes per topic, summed over its partitions (bytes: the largest replica of each
   * partition, so replication is not counted several times; -1 where no broker reported a size).
   * For changelogs this is what an instance restores when it takes over all of a store's tasks.
   */
  public static Map<String, TopicSize> sizes(Admin admin, java.util.Collection<String> topics)
      throws ExecutionException, InterruptedException {
    Map<String, TopicSize> out = new TreeMap<>();
    if (topics.isEmpty()) {
      return out;
    }
    Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get();
    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> earliest = new HashMap<>();
    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
    described.values().forEach(d -> d.partitions().forEach(p -> {
      var tp = new org.apache.kafka.common.TopicPartition(d.name(), p.partition());
      earliest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.earliest());
      latest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest());
    }));
    var starts = admin.listOffsets(earliest).all().get();
    var ends = admin.listOffsets(latest).all().get();
    List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(org.apache.kafka.common.Node::id)
        .toList();
    Map<org.apache.kafka.common.TopicPartition, Long> bytes = new HashMap<>();
    admin.describeLogDirs(brokers).allDescriptions().get().values().forEach(dirs -> dirs.values().forEach(dir ->
        dir.replicaInfos().forEach((tp, info) -> {
          if (described.containsKey(tp.topic())) {
            bytes.merge(tp, info.size(), Math::max);
          }
        })));
    for (TopicDescription d : described.values()) {
      long records = 0;
      long size = 0;
      for (var p : d.partitions()) {
        var tp = new org.apache.kafka.common.TopicPartition(d.name(), p.partition());
        records += ends.get(tp).offset() - starts.get(tp).offset();
        Long b = bytes.get(tp);
        size = b == null || size < 0 ? -1 : size + b;
      }
      out.put(d.name(), new TopicSize(d.partitions().size(), records, size));
    }
    return out;
  }

  /**
   * Logs the size of every changelog of the application: the state that instances restore when
   * they start on empty disks or take tasks over, so an operator can tell how long that will take.
   */
  public static void logStateSizes(Map<String, Object> clientSettings, String applicationId, Duration timeout) {
    try (Admin admin = admin(clientSettings, timeout)) {
      List<String> changelogs = list(admin, applicationId).stream().filter(t -> t.endsWith("-changelog")).toList();
      if (changelogs.isEmpty()) {
        log.info("State: no changelog of {} exists yet; nothing to restore", applicationId);
        return;
      }
      sizes(admin, changelogs).forEach((topic, size) -> log.info(
          "State: {} holds {} records, {} bytes in {} partitions (what a new instance restores for all its tasks)",
          topic, size.records(), size.bytes() < 0 ? "unknown" : size.bytes(), size.partitions()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | RuntimeException e) {
      log.warn("Cannot read the size of the state of {}: {}", applicationId, e.toString());
    }
  }
}
