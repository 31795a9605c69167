package io.fusionstream.cli;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.TopicSpecs;
import io.fusionstream.monitor.ConsumerLag;
import io.fusionstream.serde.AvroSerdeConfig;
import io.fusionstream.serde.RestSchemaRegistryClient;
import io.fusionstream.topology.InternalTopics;
import io.fusionstream.topology.StreamsConfigFactory;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;
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

/**
 * Creates and describes the pipeline's topics (inputs, predictions, dead letters, _schemas), the
 * application's internal topics and its consumer lag, and changes the repartition topic's count.
 */
@Command(name = "topics", mixinStandardHelpOptions = true,
    description = {"Create or describe FusionStream's topics, or change the repartition topic's partition count.",
        "describe also lists the application's internal topics (size of the state to restore) and its consumer lag.",
        "create and describe show each topic's value subject, named by value.subject.name.strategy as the serializers"
            + " name it, and whether this build's schema is registered there; create --register-schemas registers it.",
        "scale --repartition N states its procedure, checks the application is stopped, then moves the input"
            + " offsets back to rebuild what was in flight and deletes the internal topics (--dry-run: only state it)."},
    footer = {"", "Examples:", "  ./fusion topics create --partitions 6 --replication-factor 3 --bootstrap-server kafka:9092",
        "  ./fusion topics create --register-schemas --property value.subject.name.strategy=RecordNameStrategy",
        "  ./fusion topics describe -b localhost:9092",
        "  ./fusion topics scale --repartition 24 --dry-run -c fusionstream.properties"})
public final class TopicsCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ACTION", description = "create, describe or scale")
  String action;

  @Option(names = "--repartition", paramLabel = "N",
      description = "scale: the repartition topic's new partition count.")
  Integer repartition;

  @Option(names = "--dry-run", description = "scale: state the procedure and its checks, change nothing.")
  boolean dryRun;

  @Option(names = "--rewind-ms", paramLabel = "MS", description = "scale: how far the input offsets move back to"
      + " rebuild open windows (default: window size + grace + idle timeout + 2 x max batch delay).")
  Long rewindMs;

  @Option(names = "--register-schemas", description = "create: also register each topic's value schema under the"
      + " subject value.subject.name.strategy names (for producers and a pipeline with auto.register.schemas=false).")
  boolean registerSchemas;

  @Mixin ClientOptions client;

  @Option(names = "--partitions", defaultValue = "3", description = "Partitions of the input and output topics (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--replication-factor", defaultValue = "1", description = "Replication factor (default ${DEFAULT-VALUE}).")
  short replication;

  @Option(names = "--retention-ms", defaultValue = "604800000", description = "Retention of the input and output topics (default 7 days).")
  long retentionMs;

  @Override
  public Integer call() throws Exception {
    if (!action.equals("create") && !action.equals("describe") && !action.equals("scale")) {
      throw new UsageException("Unknown action '" + action + "': expected create, describe or scale");
    }
    if (action.equals("scale") != (repartition != null)) {
      throw new UsageException(action.equals("scale") ? "scale needs --repartition N"
          : "--repartition belongs to scale");
    }
    if (registerSchemas && !action.equals("create")) {
      throw new UsageException("--register-schemas belongs to create");
    }
    if (repartition != null && repartition < 1) {

      throw new UsageException("--repartition must be at least 1");
    }
    FusionConfig config = client.fusionConfig();
    client.requireReachable(Duration.ofSeconds(10));
    String applicationId = client.settings().getOrDefault(StreamsConfig.APPLICATION_ID_CONFIG,
        StreamsConfigFactory.DEFAULT_APPLICATION_ID);
    if (action.equals("scale")) {
      return scale(config, applicationId);
    }
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
      if (action.equals("describe")) {
        describeApplication(admin, config, applicationId);
      }
    }
    TopicSchemas schemas = TopicSchemas.of(config, client.settings());
    try (RestSchemaRegistryClient registry = new RestSchemaRegistryClient(client.settings())) {
      if (registerSchemas) {
        schemas.register(registry, System.out);
      }
      schemas.describe(registry, client.settings().get(AvroSerdeConfig.SCHEMA_REGISTRY_URL), System.out);
    }
    return 0;
  }

  /** Internal topics with their size (changelogs: the state to restore) and the group's lag. */
  private static void describeApplication(Admin admin, FusionConfig config, String applicationId) throws Exception {
    List<String> internal = InternalTopics.list(admin, applicationId);
    System.out.printf("%nInternal topics of application %s:%n", applicationId);
    if (internal.isEmpty()) {
      System.out.println("  none yet (created when the application first starts)");
    } else {
      System.out.printf("%-60s %10s %12s %14s%n", "TOPIC", "PARTITIONS", "RECORDS", "BYTES");
      InternalTopics.sizes(admin, internal).forEach((topic, size) -> System.out.printf("%-60s %10d %12d %14s%n",
          topic, size.partitions(), size.records(), size.bytes() < 0 ? "?" : Long.toString(size.bytes())));
    }
    Map<TopicPartition, Long> lag = ConsumerLag.measure(admin, applicationId,
        List.of(config.textTopic(), config.imageTopic(), config.audioTopic()));
    System.out.printf("%nConsumer lag of group %s (records not yet processed):%n", applicationId);
    Map<String, Long> byTopic = new TreeMap<>();
    lag.forEach((tp, n) -> byTopic.merge(tp.topic(), n, Long::sum));
    System.out.printf("%-60s %10s %12s %s%n", "TOPIC", "PARTITIONS", "LAG", "PER PARTITION");
    byTopic.forEach((topic, total) -> System.out.printf("%-60s %10d %12d %s%n", topic,
        lag.keySet().stream().filter(tp -> tp.topic().equals(topic)).count(), total,
        lag.entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
            .map(e -> e.getKey().partition() + ":" + e.getValue()).collect(Collectors.joining(" "))));
    try {
      var group = admin.describeConsumerGroups(List.of(applicationId)).all().get().get(applicationId);
      System.out.printf("Group state %s, %d members%n", group.groupState(), group.members().size());
    } catch (java.util.concurrent.ExecutionException e) {
      // Kafka 4 answers an unknown group with an error instead of an empty description
      if (!(e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException)) {
        throw e;
      }
      System.out.printf("Group %s does not exist yet (the application has not started)%n", applicationId);
    }
  }

  private int scale(FusionConfig config, String applicationId) throws Exception {
    Duration rewind = Duration.ofMillis(rewindMs != null ? rewindMs : config.windowSize().toMillis()
        + config.grace().toMillis() + config.idleTimeout().toMillis() + 2 * config.maxBatchDelay().toMillis());
    String stateDir = client.settings().getOrDefault(StreamsConfig.STATE_DIR_CONFIG, "<state.dir>");
    try (Admin admin = Admin.create(client.clientSettings())) {
      RepartitionScale.Plan plan = RepartitionScale.plan(admin, client.clientSettings(), config, applicationId,
          repartition, rewind);
      plan.describe(stateDir).forEach(System.out::println);
      if (!plan.blockers().isEmpty()) {
        return 1;
      }
      if (dryRun) {
        System.out.println("Dry run: nothing changed.");
        return 0;
      }
      RepartitionScale.execute(admin, plan).forEach(System.out::println);
      System.out.println("Done with steps 1 to 3. Now steps 4 to 6: set " + FusionConfig.REPARTITION_PARTITIONS
          + "=" + repartition + ", empty the state directories, start the instances.");
    }
    return 0;
  }
}
