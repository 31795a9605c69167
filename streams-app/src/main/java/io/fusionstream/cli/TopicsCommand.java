package io.fusionstream.cli;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.TopicSpecs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Creates and describes the pipeline's topics (inputs, predictions, dead letters, _schemas). */
@Command(name = "topics", mixinStandardHelpOptions = true,
    description = "Create or describe FusionStream's topics.",
    footer = {"", "Examples:", "  ./fusion topics create --partitions 6 --replication-factor 3 -b kafka:9092",
        "  ./fusion topics describe -b localhost:9092"})
public final class TopicsCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ACTION", description = "create or describe")
  String action;

  @Mixin ClientOptions client;

  @Option(names = "--partitions", defaultValue = "3", description = "Partitions of the input and output topics (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--replication-factor", defaultValue = "1", description = "Replication factor (default ${DEFAULT-VALUE}).")
  short replication;

  @Option(names = "--retention-ms", defaultValue = "604800000", description = "Retention of the input and output topics (default 7 days).")
  long retentionMs;

  @Override
  public Integer call() throws Exception {
    if (!action.equals("create") && !action.equals("describe")) {
      throw new UsageException("Unknown action '" + action + "': expected create or describe");
    }
    FusionConfig config = client.fusionConfig();
    client.requireReachable(Duration.ofSeconds(10));
    List<NewTopic> topics = TopicSpecs.all(config, partitions, replication, retentionMs);
    try (Admin admin = Admin.create(client.clientSettings())) {
      if (action.equals("create")) {
        List<String> created = TopicSpecs.createMissing(admin, topics);
        System.out.println(created.isEmpty() ? "All topics already exist." : "Created: " + String.join(", ", created));
      }
      List<String> names = topics.stream().map(NewTopic::name).toList();
      Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames().get();
      var resources = names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
      var configs = admin.describeConfigs(resources).all().get();
      System.out.printf("%-28s %10s %12s %14s %10s %18s%n", "TOPIC", "PARTITIONS", "REPLICATION", "RETENTION_MS",
          "CLEANUP", "MAX_MESSAGE_BYTES");
      for (String n : names) {
        TopicDescription d = descriptions.get(n);
        var c = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, n));
        System.out.printf("%-28s %10d %12d %14s %10s %18s%n", n, d.partitions().size(),
            d.partitions().get(0).replicas().size(), c.get(TopicConfig.RETENTION_MS_CONFIG).value(),
            c.get(TopicConfig.CLEANUP_POLICY_CONFIG).value(), c.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value());
      }
    }
    return 0;
  }
}
