package io.fusionstream.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;

/**
 * Bytes in the broker's logs, per topic, read with {@code describeLogDirs}: what was really
 * written (record batches with their headers, transaction markers), not an estimate from record
 * sizes. Differences between two readings are what a phase wrote.
 */
public final class KafkaBytes {
  /** Categories of the write amplification table; input topics are the denominator. */
  public static final String INPUT = "input";
  public static final String CHANGELOG = "changelog";
  public static final String REPARTITION = "repartition";
  public static final String OUTPUT = "output";
  public static final String DLQ = "dlq";
  public static final List<String> WRITTEN = List.of(CHANGELOG, REPARTITION, OUTPUT, DLQ);

  private KafkaBytes() {}

  /** Log bytes of every topic the filter accepts, summed over partitions (and replicas). */
  public static Map<String, Long> perTopic(Admin admin, Predicate<String> topics)
      throws InterruptedException, ExecutionException {
    List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(Node::id).toList();
    Map<String, Long> out = new LinkedHashMap<>();
    for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
      for (LogDirDescription dir : dirs.values()) {
        for (Map.Entry<TopicPartition, ReplicaInfo> e : dir.replicaInfos().entrySet()) {
          if (topics.test(e.getKey().topic())) {
            out.merge(e.getKey().topic(), e.getValue().size(), Long::sum);
          }
        }
      }
    }
    return out;
  }

  /**
   * Sums per-topic byte differences into the categories: the named input, output and DLQ topics,
   * and Kafka Streams' internal topics by their suffix. Topics that fit none are left out.
   */
  public static Map<String, Long> byCategory(Map<String, Long> before, Map<String, Long> after,
      Map<String, String> namedTopics) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String category : List.of(INPUT, CHANGELOG, REPARTITION, OUTPUT, DLQ)) {
      out.put(category, 0L);
    }
    for (Map.Entry<String, Long> e : after.entrySet()) {
      String category = categoryOf(e.getKey(), namedTopics);
      if (category != null) {
        out.merge(category, e.getValue() - before.getOrDefault(e.getKey(), 0L), Long::sum);
      }
    }
    return out;
  }

  static String categoryOf(String topic, Map<String, String> namedTopics) {
    if (namedTopics.containsKey(topic)) {
      return namedTopics.get(topic);
    }
    if (topic.endsWith("-changelog")) {
      return CHANGELOG;
    }
    if (topic.endsWith("-repartition")) {
      return REPARTITION;
    }
    return null;
  }

  /** Bytes written to Kafka by the pipeline per input byte; NaN without input. */
  public static double amplification(Map<String, Long> bytes) {
    long input = bytes.getOrDefault(INPUT, 0L);
    if (input <= 0) {
      return Double.NaN;
    }
    long written = 0;
    for (String category : WRITTEN) {
      written += bytes.getOrDefault(category, 0L);
    }
    return written / (double) input;
  }
}
