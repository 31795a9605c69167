package io.fusionstream.cli;

import io.fusionstream.app.FusionApp;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Production mode: the pipeline against an external Kafka cluster and Schema Registry. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the pipeline against an external Kafka cluster and Schema Registry until stopped.",
    footer = {"", "Example:", "  ./fusion run --config deploy/fusionstream.properties",
        "  KAFKA_BOOTSTRAP_SERVERS=kafka:9092 SCHEMA_REGISTRY_URL=http://registry:8081 ./fusion run",
        "", "Settings: file < environment (KAFKA_BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, FUSION_*) < flags.",
        "Any Kafka Streams or client setting (security.protocol, sasl.*, ssl.*) passes through."})
public final class RunCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Override
  public Integer call() throws Exception {
    Map<String, String> settings = client.settings();
    client.fusionConfig(); // reports bad values as usage errors before anything starts
    client.requireReachable(Duration.ofSeconds(15));
    FusionApp app = FusionApp.start(settings);
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      System.err.println("fusion: stopping (state is kept; a restart resumes from it)...");
      app.close();
      closed.countDown();
    }, "fusion-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    System.err.println("fusion: running, model " + app.modelVersion() + ", http://localhost:" + app.httpPort()
        + "/ (Ctrl-C stops)");
    app.awaitTermination();
    // Kafka Streams died on its own: report it and fail, so an orchestrator restarts us.
    Runtime.getRuntime().removeShutdownHook(hook);
    app.close();
    throw new IllegalStateException("Kafka Streams stopped with state " + app.streams().state()
        + "; see the log above");
  }
}
