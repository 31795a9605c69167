package io.fusionstream.dev;

import io.fusionstream.config.FusionConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/** The topics the pipeline needs, and their settings, in one place. */
public final class TopicSpecs {
  public static final String SCHEMAS_TOPIC = "_schemas";

  private TopicSpecs() {}

  public static List<NewTopic> all(FusionConfig config, int partitions, short replication, long retentionMs) {
    Map<String, String> retention = Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs));
    List<NewTopic> topics = new ArrayList<>();
    for (String name : List.of(config.textTopic(), config.imageTopic(), config.audioTopic(),
        config.predictionsTopic(), config.dlqTopic())) {
      topics.add(new NewTopic(name, partitions, replication).configs(retention));
    }
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
    }
    return missing.stream().map(NewTopic::name).toList();
  }
}
