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
    Map<String, Object> props = new HashMap<>(clientSettings);
    props.put("default.api.timeout.ms", (int) timeout.toMillis());
    props.put("request.timeout.ms", (int) Math.min(timeout.toMillis(), 30_000));
    try (Admin admin = Admin.create(props)) {
      Resolution r = resolve(admin, config, applicationId);
      log.info("Repartition topic: {}", r.explanation());
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while reading the repartition topic's partition count", e);
    }
  }
}
