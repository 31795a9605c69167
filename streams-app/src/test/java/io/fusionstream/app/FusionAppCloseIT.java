package io.fusionstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fusionstream.cli.TrainCommand;
import io.fusionstream.config.ConfigLoader;
import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.dev.TopicSpecs;
import io.fusionstream.produce.EventPublisher;
import io.fusionstream.produce.SyntheticStream;
import io.fusionstream.registry.EmbeddedSchemaRegistry;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the application when its broker has gone away: close must return (in about
 * {@link FusionApp#CLOSE_TIMEOUT}; the @Timeout is generous so a loaded machine does not fail it)
 * and say what it could not flush. Before this was bounded, {@code ./fusion run} was still up 65 s
 * after SIGINT without a broker.
 */
class FusionAppCloseIT {
  @TempDir static Path models;
  @TempDir Path dir;
  private EmbeddedKafka kafka;
  private EmbeddedSchemaRegistry registry;
  private Map<String, String> settings;

  @BeforeAll
  static void trainAModel(@TempDir Path data) throws Exception {
    TrainCommand.trainOnSynthetic(data, 60, 3, models, "--epochs", "2");
  }

  @BeforeEach
  void startBroker() throws Exception {
    kafka = EmbeddedKafka.startTemporary();
    registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).start();
    settings = new HashMap<>();
    settings.put("bootstrap.servers", kafka.bootstrapServers());
    settings.put("schema.registry.url", registry.url());
    settings.put("application.id", "close-it");
    settings.put("state.dir", dir.resolve("state").toString());
    settings.put("commit.interval.ms", "200");
    settings.put(FusionConfig.MODEL_DIR, models.toString());
    settings.put(FusionConfig.HTTP_PORT, "0");
    FusionConfig config = new FusionConfig(settings);
    try (var admin = kafka.admin()) {
      TopicSpecs.createMissing(admin, TopicSpecs.all(config, 2, (short) 1, 3_600_000L));
    }
  }

  @AfterEach
  void stopWhatIsLeft() {
    stopBroker();
  }

  private void stopBroker() {
    if (registry != null) {
      registry.close();
      registry = null;
    }
    if (kafka != null) {
      kafka.close();
      kafka = null;
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aRunningAppStopsAfterItsBrokerIsGoneAndSaysWhatItDidNotFlush() throws Exception {
    FusionApp app = FusionApp.start(settings);
    int httpPort = app.httpPort();
    await().atMost(Duration.ofSeconds(20)).until(() -> app.streams().state() == KafkaStreams.State.RUNNING);
    FusionConfig config = new FusionConfig(settings);
    try (EventPublisher publisher = new EventPublisher(config, ConfigLoader.clientSettings(settings))) {
      SyntheticStream stream = new SyntheticStream(7, config.windowSize().toMillis());
      for (int i = 0; i < 5; i++) {
        SyntheticStream.send(publisher, stream.next("close-" + i, Instant.now()));
      }
      publisher.flush();
    }

    stopBroker();
    List<String> unflushed = app.shutdown(FusionApp.CLOSE_TIMEOUT);

    assertStopped(app, httpPort, unflushed);
    assertThat(app.shutdown(FusionApp.CLOSE_TIMEOUT)).as("a second call answers the same").isEqualTo(unflushed);
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void anAppStillJoiningItsGroupStopsAfterItsBrokerIsGone() throws Exception {
    FusionApp app = FusionApp.start(settings);
    int httpPort = app.httpPort();
    stopBroker();
    List<String> unflushed = app.shutdown(FusionApp.CLOSE_TIMEOUT);

    assertStopped(app, httpPort, unflushed);
  }

  private static void assertStopped(FusionApp app, int httpPort, List<String> unflushed) throws Exception {
    System.out.println("close report: " + (unflushed.isEmpty() ? "clean" : unflushed));
    KafkaStreams.State state = app.streams().state();
    assertThat(state).isIn(KafkaStreams.State.NOT_RUNNING, KafkaStreams.State.PENDING_SHUTDOWN,
        KafkaStreams.State.ERROR);
    if (state == KafkaStreams.State.PENDING_SHUTDOWN) {
      // Kafka Streams was abandoned mid-close: the report must say so and what that costs.
      assertThat(unflushed).anySatisfy(line -> assertThat(line)
          .contains("Kafka Streams").contains("not committed").contains("processed again on restart"));
    } else {
      assertThat(unflushed).noneMatch(line -> line.contains("Kafka Streams"));
    }
    // The HTTP server is gone, so a restarted instance can take its port.
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try {
      http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + "/health")).build(),
          HttpResponse.BodyHandlers.discarding());
      throw new AssertionError("the HTTP server still answers on port " + httpPort);
    } catch (ConnectException expected) {
      // refused: closed
    }
  }
}
