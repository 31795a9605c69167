package io.fusionstream.cli;

import io.fusionstream.registry.EmbeddedSchemaRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Serves FusionStream's Schema Registry on its own, against any Kafka: for a deployment that has
 * Kafka but no Confluent registry. Runs until stopped (Ctrl-C or SIGTERM).
 */
@Command(name = "registry", mixinStandardHelpOptions = true,
    description = {"Serve a Confluent-compatible Schema Registry that keeps its schemas in a compacted Kafka topic.",
        "Speaks the REST subset FusionStream and Confluent's serializers use; runs until stopped."},
    footer = {"", "Examples:", "  ./fusion registry -b kafka:9092 --port 8081 --host 0.0.0.0",
        "  ./fusion registry -b localhost:9092 --basic-auth-user-info fusion:secret"})
public final class RegistryCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Option(names = "--port", defaultValue = "8081", description = "HTTP port (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = "--host", defaultValue = "localhost",
      description = "Interface to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for all).")
  String host;

  @Option(names = "--topic", defaultValue = EmbeddedSchemaRegistry.DEFAULT_TOPIC,
      description = "Compacted topic holding the schemas (default ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--basic-auth-user-info", paramLabel = "USER:PASSWORD",
      description = "Require HTTP basic auth with these credentials (default: $SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO, else none).")
  String basicAuth;

  @Option(names = "--allow-unauthenticated",
      description = "Serve without basic auth on an interface other than localhost (refused otherwise).")
  boolean allowUnauthenticated;

  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);

  @Override
  public Integer call() throws InterruptedException {
    client.requireReachable(Duration.ofSeconds(10));
    Map<String, Object> kafka = client.clientSettings();
    EmbeddedSchemaRegistry.Builder builder = EmbeddedSchemaRegistry.builder(
            String.valueOf(kafka.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)))
        .port(port).host(host).topic(topic).allowUnauthenticated(allowUnauthenticated)
        .basicAuth(basicAuth != null ? basicAuth : System.getenv("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO"));
    // only the connection's security settings: serde and pipeline keys mean nothing to these clients
    kafka.forEach((key, value) -> {
      if (key.startsWith("security.") || key.startsWith("sasl.") || key.startsWith("ssl.")) {
        builder.kafkaClientConfig(key, value);
      }
    });
    // on Ctrl-C the JVM exits once its hooks return: the hook waits for the registry to close
    Thread hook = new Thread(() -> {
      stop.countDown();
      awaitQuietly(closed);
    }, "registry-shutdown");
    try (EmbeddedSchemaRegistry registry = builder.start()) {
      Runtime.getRuntime().addShutdownHook(hook);
      System.out.println("Schema Registry at " + registry.url() + " (schemas in topic " + topic + "); Ctrl-C stops it.");
      stop.await();
      return 0;
    } finally {
      closed.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException | IllegalArgumentException alreadyShuttingDownOrNeverAdded) {
        // nothing to undo
      }
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(15, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops a running {@link #call()}, as a shutdown signal would. */
  void stop() {
    stop.countDown();
  }
}
