package io.fusionstream.cli;

import io.fusionstream.app.FusionApp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
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
    AtomicBoolean stopRequested = new AtomicBoolean();
    Thread hook = new Thread(() -> {
      stopRequested.set(true);
      System.err.println("fusion: stopping (state is kept; a restart resumes from it)...");
      List<String> unflushed = app.shutdown(FusionApp.CLOSE_TIMEOUT);
      System.err.println(unflushed.isEmpty() ? "fusion: stopped"
          : "fusion: stopped without flushing: " + String.join("; ", unflushed));
    }, "fusion-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    System.err.println("fusion: running, model " + app.modelVersion() + ", http://localhost:" + app.httpPort()
        + "/ (Ctrl-C stops)");
    app.awaitTermination();
    if (stopRequested.get()) {
      // Ctrl-C or SIGTERM: the hook is stopping the app, and the JVM exits once it is done.
      return 0;
    }
    // Kafka Streams died on its own: report it and fail, so an orchestrator restarts us.
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      return 0; // a stop request came in just now; the hook reports it
    }
    KafkaStreams.State state = app.streams().state();
    app.close();
    throw new IllegalStateException("Kafka Streams stopped with state " + state + "; see the log above");
  }
}
