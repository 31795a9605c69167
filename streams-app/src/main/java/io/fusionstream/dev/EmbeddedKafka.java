package io.fusionstream.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft cluster (one process that is both broker and controller) inside this JVM,
 * for the demo and the integration tests. Built on Kafka's own test kit, so it is the real broker
 * code, not a mock.
 *
 * <p>Clients connect to a listener named {@code CLIENT} (PLAINTEXT on localhost) on the requested
 * port; the test kit's own listeners stay on random ports, since the kit pre-binds those sockets
 * and ignores configured ports for them.
 *
 * <p>With a data directory the cluster survives restarts: the directory is formatted once, its
 * cluster id kept in a file beside the logs, and the kit is told not to delete it on close. On the
 * next start the same cluster id is reused and formatting is skipped, so topics, records and
 * committed offsets are still there.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
  /** The port the demo listens on, as a stand-alone Kafka would. */
  public static final int DEMO_PORT = 9092;
  static final String CLIENT_LISTENER = "CLIENT";
  private static final String CLUSTER_ID_FILE = "fusionstream-cluster.id";

  private final KafkaClusterTestKit cluster;
  private final Path dataDir;
  private final boolean temporary;
  private final String bootstrapServers;

  private EmbeddedKafka(KafkaClusterTestKit cluster, Path dataDir, boolean temporary) {
    this.cluster = cluster;
    this.dataDir = dataDir;
    this.temporary = temporary;
    int port = cluster.brokers().values().iterator().next().boundPort(ListenerName.normalised(CLIENT_LISTENER));
    this.bootstrapServers = "localhost:" + port;
  }

  /** A cluster on a random port whose data is deleted on close: for tests. */
  public static EmbeddedKafka startTemporary() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private int port = 0;
    private Path dataDir;
    private final Map<String, String> brokerConfig = new HashMap<>();

    /** The client listener's port; 0 (the default) picks a free one. The demo uses {@link #DEMO_PORT}. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /** Where logs and metadata live, kept across restarts; without one a temp dir is deleted on close. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** Any broker setting, applied over the single-node defaults. */
    public Builder brokerConfig(String key, String value) {
      brokerConfig.put(key, value);
      return this;
    }

    public EmbeddedKafka build() {
      requirePortFree(port);
      boolean temporary = dataDir == null;
      try {
        Path dir = temporary ? Files.createTempDirectory("fusionstream-kafka-") : dataDir.toAbsolutePath();
        Files.createDirectories(dir);
        return start(dir, temporary);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot prepare the Kafka data directory " + dataDir, e);
      }
    }

    private EmbeddedKafka start(Path dir, boolean temporary) throws IOException {
      Path idFile = dir.resolve(CLUSTER_ID_FILE);
      boolean formatted = Files.exists(idFile) && isFormatted(dir);
      String clusterId = formatted
          ? Files.readString(idFile, StandardCharsets.UTF_8).trim()
          : Uuid.randomUuid().toString();
      TestKitNodes nodes = new TestKitNodes.Builder()
          .setCombined(true)
          .setNumBrokerNodes(1)
          .setNumControllerNodes(1)
          .setBaseDirectory(dir)
          .setClusterId(clusterId)
          .build();
      KafkaClusterTestKit.Builder kit = new KafkaClusterTestKit.Builder(nodes).setDeleteOnClose(temporary);
      singleNodeDefaults(port).forEach(kit::setConfigProp);
      brokerConfig.forEach(kit::setConfigProp);
      KafkaClusterTestKit cluster = null;
      try {
        cluster = kit.build();
        if (!formatted) {
          cluster.format();
          Files.writeString(idFile, clusterId, StandardCharsets.UTF_8);
        }
        cluster.startup();
        cluster.waitForReadyBrokers();
        EmbeddedKafka kafka = new EmbeddedKafka(cluster, dir, temporary);
        log.info("Kafka {} ready at {} (data in {}, cluster {})", formatted ? "restarted" : "started",
            kafka.bootstrapServers(), dir, clusterId);
        return kafka;
      } catch (Exception e) {
        closeQuietly(cluster);
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("Cannot start the in-process Kafka broker on port " + port
            + " with data in " + dir + ": " + e.getMessage(), e);
      }
    }

    /** Says so at once when another broker holds the port, instead of after a half start-up. */
    private static void requirePortFree(int port) {
      if (port == 0) {
        return;
      }
      try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
        probe.setReuseAddress(true);
        probe.bind(new java.net.InetSocketAddress("localhost", port));
      } catch (IOException e) {
        throw new IllegalStateException("Port " + port + " is in use (another Kafka running?): "
            + "stop it, or choose another port (0 picks a free one)", e);
      }
    }

    /** Formatted directories hold a meta.properties; a half-made directory is formatted again. */
    private static boolean isFormatted(Path dir) throws IOException {
      try (Stream<Path> files = Files.find(dir, 3, (p, a) -> p.getFileName().toString().equals("meta.properties"))) {
        return files.findAny().isPresent();
      }
    }
  }

  /**
   * Settings a one-node cluster needs: internal topics with one replica (the defaults want three
   * and would leave exactly-once producers and consumer groups waiting forever), no rebalance
   * delay, and few partitions for the internal topics so the first consumer group starts fast.
   */
  static Map<String, String> singleNodeDefaults(int port) {
    Map<String, String> c = new HashMap<>();
    c.put("listeners", "EXTERNAL://localhost:0,CONTROLLER://localhost:0," + CLIENT_LISTENER + "://localhost:" + port);
    c.put("listener.security.protocol.map", "EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT," + CLIENT_LISTENER + ":PLAINTEXT");
    c.put("offsets.topic.replication.factor", "1");
    c.put("offsets.topic.num.partitions", "5");
    c.put("transaction.state.log.replication.factor", "1");
    c.put("transaction.state.log.min.isr", "1");
    c.put("transaction.state.log.num.partitions", "5");
    c.put("share.coordinator.state.topic.replication.factor", "1");
    c.put("share.coordinator.state.topic.min.isr", "1");
    c.put("group.initial.rebalance.delay.ms", "0");
    c.put("default.replication.factor", "1");
    c.put("min.insync.replicas", "1");
    return c;
  }

  /** host:port of the client listener. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** An admin client on this cluster; the caller closes it. */
  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  /** Creates the topics that do not exist yet (one replica each); returns the names created. */
  public List<String> createTopics(Collection<NewTopic> topics) {
    try (Admin admin = admin()) {
      return TopicSpecs.createMissing(admin, new ArrayList<>(topics));
    } catch (ExecutionException e) {
      throw new IllegalStateException("Cannot create topics " + names(topics) + ": " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted creating topics " + names(topics), e);
    }
  }

  /** Creates each named topic, if missing, with the given partition count and one replica. */
  public List<String> createTopics(int partitions, String... names) {
    List<NewTopic> topics = new ArrayList<>();
    for (String name : names) {
      topics.add(new NewTopic(name, partitions, (short) 1));
    }
    return createTopics(topics);
  }

  public Set<String> topicNames() {
    try (Admin admin = admin()) {
      return admin.listTopics().names().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("Cannot list topics: " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted listing topics", e);
    }
  }

  private static List<String> names(Collection<NewTopic> topics) {
    return topics.stream().map(NewTopic::name).toList();
  }

  /** Stops the broker; the data directory stays unless the cluster is temporary. */
  @Override
  public void close() {
    try {
      cluster.close();
    } catch (Exception e) {
      throw new IllegalStateException("Error stopping the in-process Kafka broker", e);
    } finally {
      if (temporary) {
        deleteQuietly(dataDir);
      }
    }
  }

  private static void closeQuietly(KafkaClusterTestKit cluster) {
    if (cluster != null) {
      try {
        cluster.close();
      } catch (Exception suppressed) {
        log.warn("Error stopping a half-started Kafka broker", suppressed);
      }
    }
  }

  /** The kit deletes its base directory itself; this catches what it leaves. */
  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      log.warn("Could not delete {}", dir, e);
    }
  }
}
