package io.fusionstream.cli;

import io.fusionstream.registry.EmbeddedSchemaRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        "  SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO=fusion:secret ./fusion registry -b localhost:9092",
        "  ./fusion registry -b kafka:9092 --host 0.0.0.0 --basic-auth-user-info-file /run/secrets/registry-user-info"})
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

  /** Environment variable holding {@code user:password} for the registry's basic auth. */
  public static final String ENV_BASIC_AUTH_USER_INFO = "SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO";

  @Option(names = "--basic-auth-user-info-file", paramLabel = "FILE",
      description = "Require HTTP basic auth with the user:password in this file (a mounted secret); wins over"
          + " $" + ENV_BASIC_AUTH_USER_INFO + ". Neither set: no auth.")
  Path basicAuthFile;

  // A secret on the command line is visible to every local user in ps and lands in shell history:
  // the old flag stays only to say so, and is refused.
  @Option(names = "--basic-auth-user-info", hidden = true, paramLabel = "USER:PASSWORD")
  String basicAuthFlag;

  @Option(names = "--allow-unauthenticated",
      description = "Serve without basic auth on an interface other than localhost (refused otherwise).")
  boolean allowUnauthenticated;

  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);

  @Override
  public Integer call() throws InterruptedException {
    if (basicAuthFlag != null) {
      throw new UsageException("--basic-auth-user-info is refused: a secret in the arguments is visible in ps and"
          + " shell history; put user:password in $" + ENV_BASIC_AUTH_USER_INFO + " or in a file named by"
          + " --basic-auth-user-info-file");
    }
    String userInfo = userInfo(basicAuthFile, System.getenv());
    client.requireReachable(Duration.ofSeconds(10));
    Map<String, Object> kafka = client.clientSettings();
    EmbeddedSchemaRegistry.Builder builder = EmbeddedSchemaRegistry.builder(
            String.valueOf(kafka.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)))
        .port(port).host(host).topic(topic).allowUnauthenticated(allowUnauthenticated)
        .basicAuth(userInfo);
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

  /**
   * The credentials from the file if one is named, else from the environment; null for none. A
   * named file that is missing or empty is an error, never a silent start without auth.
   */
  static String userInfo(Path file, Map<String, String> env) {
    if (file != null) {
      String secret;
      try {
        secret = Files.readString(file, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new UsageException("Cannot read --basic-auth-user-info-file " + file + ": " + e.getMessage());
      }
      if (secret.isEmpty()) {
        throw new UsageException("--basic-auth-user-info-file " + file + " is empty");
      }
      return secret;
    }
    String fromEnv = env.get(ENV_BASIC_AUTH_USER_INFO);
    return fromEnv == null || fromEnv.isBlank() ? null : fromEnv.strip();
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
