package io.fusionstream.cli;

import io.fusionstream.config.ConfigLoader;
import io.fusionstream.config.FusionConfig;
import io.fusionstream.serde.AvroSerdeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Option;

/** Connection settings shared by the client commands (produce, consume, topics). */
public final class ClientOptions {
  /** Kafka's own tools spell it --bootstrap-server; the plural and -b stay as aliases. */
  @Option(names = {"--bootstrap-server", "-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,...]",
      description = "Kafka bootstrap servers (default: the config file, $KAFKA_BOOTSTRAP_SERVERS, or localhost:9092).")
  String bootstrapServers;

  @Option(names = {"-r", "--schema-registry-url"}, paramLabel = "URL",
      description = "Schema Registry URL (default: the config file, $SCHEMA_REGISTRY_URL, or http://localhost:8081).")
  String registryUrl;

  @Option(names = {"--property", "-X"}, paramLabel = "KEY=VALUE",
      description = "Any client, serde or fusion.* setting, as kafka-avro-console-consumer's --property"
          + " (schema.registry.url=..., basic.auth.credentials.source=URL); repeatable. print.key and"
          + " key.separator shape consume's output as in Kafka's console consumer.")
  Map<String, String> properties = new LinkedHashMap<>();

  /** Settings of the console tools' output, not of any client: kept out of the client settings. */
  static final Set<String> FORMATTER_PROPERTIES = Set.of("print.key", "key.separator");

  @Option(names = {"-c", "--config", "--command-config"}, paramLabel = "FILE",
      description = "Properties file: Kafka client settings (security.protocol, sasl.*, ssl.*), serde and fusion.* settings.")
  Path configFile;

  @Option(names = {"-v", "--verbose"}, description = "Show stack traces on errors.")
  boolean verbose;

  /** Effective settings: file &lt; environment &lt; flags, with the demo's addresses as defaults. */
  public Map<String, String> settings() {
    Map<String, String> flags = new HashMap<>();
    properties.forEach((k, v) -> {
      if (!FORMATTER_PROPERTIES.contains(k)) {
        flags.put(k, v);
      }
    });
    if (bootstrapServers != null) {
      flags.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    }
    if (registryUrl != null) {
      flags.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registryUrl);
    }
    Map<String, String> s = ConfigLoader.load(configFile, System.getenv(), flags);
    s.putIfAbsent(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
    s.putIfAbsent(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "http://localhost:8081");
    List<String> unknown = ConfigLoader.unknownKeys(s);
    if (!unknown.isEmpty()) {
      throw new UsageException(String.join("; ", unknown));
    }
    return s;
  }

  /** A --property of the output format (print.key, key.separator), or the default. */
  public String formatterProperty(String key, String defaultValue) {
    return properties.getOrDefault(key, defaultValue);
  }

  public FusionConfig fusionConfig() {
    try {
      return new FusionConfig(settings());
    } catch (ConfigException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** Client settings only: the fusion.* keys would make Kafka clients log warnings. */
  public Map<String, Object> clientSettings() {
    return ConfigLoader.clientSettings(settings());
  }

  /**
   * Fails fast with one line when no broker answers, instead of a client blocking for a minute
   * and then throwing a timeout from deep inside.
   */
  public void requireReachable(Duration timeout) {
    Map<String, Object> props = new HashMap<>(clientSettings());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    String servers = String.valueOf(props.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    try (Admin admin = Admin.create(props)) {
      admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new IllegalStateException("Cannot reach Kafka at " + servers + " within " + timeout.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while connecting to Kafka at " + servers, e);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new IllegalStateException("Cannot connect to Kafka at " + servers + ": " + e.getMessage(), e);
    }
  }
}
