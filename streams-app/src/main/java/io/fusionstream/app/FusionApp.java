package io.fusionstream.app;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.encode.EncoderFactory;
import io.fusionstream.encode.Encoders;
import io.fusionstream.encode.Encoder;
import io.fusionstream.fusion.DjlFusionModel;
import io.fusionstream.fusion.EncoderRequirement;
import io.fusionstream.schema.Modality;
import java.util.EnumMap;
import java.util.List;
import io.fusionstream.fusion.ModelStore;
import io.fusionstream.monitor.Monitoring;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.serde.AvroDeserializer;
import io.fusionstream.serde.RestSchemaRegistryClient;
import io.fusionstream.serde.SchemaRegistryClient;
import io.fusionstream.topology.FusionTopology;
import io.fusionstream.topology.StreamsConfigFactory;
import io.fusionstream.topology.TaskFailureTracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running application: registry client, encoders, fusion model store, topology, Kafka Streams
 * and the HTTP server (health, metrics, dashboard). Built from settings alone, so {@code run},
 * {@code demo} and the tests start the same thing. Closing stops them in reverse order.
 */
public final class FusionApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FusionApp.class);

  private final FusionConfig config;
  private final SchemaRegistryClient registry;
  private final Encoders encoders;
  private final ModelStore models;
  private final Monitoring monitoring;
  private final KafkaStreams streams;
  private final CountDownLatch dead = new CountDownLatch(1);
  private final CountDownLatch closing = new CountDownLatch(1);
  private final TaskFailureTracker failures;
  private volatile boolean leaveGroupOnClose;

  private FusionApp(Map<String, String> settings) throws IOException {
    this.config = new FusionConfig(settings);
    Path modelDir = Path.of(config.getString(FusionConfig.MODEL_DIR));
    if (!Files.isDirectory(modelDir)) {
      throw new IllegalStateException("No fusion model directory at " + modelDir.toAbsolutePath()
          + ": train one with ./fusion train --out " + modelDir + " (or set " + FusionConfig.MODEL_DIR + ")");
    }
    this.registry = new RestSchemaRegistryClient(settings);
    log.info("Threads: {}", config.threads().describe());
    this.encoders = EncoderFactory.create(config.encoderSettings());
    this.monitoring = new Monitoring(new Monitoring.Settings(config.getString(FusionConfig.HTTP_HOST),
        config.getInt(FusionConfig.HTTP_PORT), io.fusionstream.monitor.DashboardFeed.Settings.defaults()));
    // Only fusion models trained on these encoders may serve: others are refused, at start and on reload.
    this.models = ModelStore.open(modelDir, DjlFusionModel::load,
        Duration.ofMillis(config.getLong(FusionConfig.MODEL_POLL_MS)), requirement(encoders),
        monitoring.metrics()::modelRefused);
    monitoring.metrics().modelVersion(models.currentVersion());
    var topology = FusionTopology.builder(config, registry).encoders(encoders)
        .fusionModel(models::current).metrics(monitoring.metrics()).build();
    Map<String, Object> user = new HashMap<>(settings);
    this.failures = TaskFailureTracker.from(config);
    Properties props = StreamsConfigFactory.create(config, user, monitoring.metrics(), failures);
    this.streams = new KafkaStreams(topology, props);
    streams.setUncaughtExceptionHandler(this::onStreamThreadFailure);
    streams.setStateListener((now, before) -> {
      log.info("Kafka Streams {} -> {}", before, now);
      if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
        dead.countDown();
      }
    });
  }

  private static EncoderRequirement requirement(Encoders encoders) {
    Map<Modality, Integer> dims = new EnumMap<>(Modality.class);
    Map<Modality, String> ids = new EnumMap<>(Modality.class);
    for (Encoder<?> e : List.of(encoders.text(), encoders.image(), encoders.audio())) {
      dims.put(e.modality(), e.dimension());
      ids.put(e.modality(), e.modelId());
    }
    return new EncoderRequirement(dims, ids);
  }

  /**
   * A model or broker hiccup kills one stream thread; a replacement picks its tasks up from the
   * committed state instead of the whole application stopping. A failure that repeats on the same
   * task (a record that fails every time) waits longer before each replacement, and past
   * fusion.task.max.failures it turns /health DOWN, so an orchestrator restarts or alerts instead
   * of the instance looping while it looks healthy.
   */
  private StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onStreamThreadFailure(Throwable e) {
    TaskFailureTracker.Decision d = failures.threadFailed(e);
    monitoring.metrics().taskFailure(d.task());
    if (d.newlyDown()) {
      log.error("Task {} keeps failing ({} failures within {} ms); /health is DOWN. Failing record: {}. Error: {}",
          d.task(), d.failures(), config.getLong(FusionConfig.TASK_FAILURE_WINDOW_MS),
          d.record().map(Object::toString).orElse("unknown (no exception handler named one)"), e.toString());
    } else {
      log.error("Stream thread failed on task {} (failure {} within the window), replacing it in {} ms: {}",
          d.task(), d.failures(), d.backoff().toMillis(), e.toString());
    }
    try {
      // Closing the app ends the wait at once.
      closing.await(d.backoff().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
    return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  /** Builds and starts everything; throws with a clear message when something cannot start. */
  public static FusionApp start(Map<String, String> settings) throws IOException {
    FusionApp app = new FusionApp(settings);
    try {
      app.monitoring.start(app.streams, () -> app.models.currentVersion() != null, app.failures::downReason);
      app.monitoring.followTopics(io.fusionstream.config.ConfigLoader.clientSettings(settings), app.config.predictionsTopic(), app.config.dlqTopic(),
          new AvroDeserializer<>(app.registry, FusedPrediction.class));
      app.streams.start();
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
    log.info("FusionStream running: model {}, dashboard on port {}", app.models.currentVersion(), app.httpPort());
    return app;
  }

  public int httpPort() {
    return monitoring.port();
  }

  public KafkaStreams streams() {
    return streams;
  }

  public Monitoring monitoring() {
    return monitoring;
  }

  public String modelVersion() {
    return models.currentVersion();
  }

  /** Blocks until Kafka Streams stops on its own (error) or the thread is interrupted. */
  public void awaitTermination() throws InterruptedException {
    dead.await();
  }

  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return dead.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Leave the consumer group when closing. Kafka Streams stays in the group by default, which suits
   * rolling restarts of several instances; a single instance (the demo) restarting would instead
   * wait a whole session timeout for its own old membership to expire.
   */
  public FusionApp leaveGroupOnClose() {
    this.leaveGroupOnClose = true;
    return this;
  }

  /** Why the instance reports DOWN although Kafka Streams runs (a task that keeps failing), if it does. */
  public java.util.Optional<String> failure() {
    return failures.downReason();
  }

  @Override
  public void close() {
    closing.countDown();
    CloseOptions options = CloseOptions.timeout(Duration.ofSeconds(20));
    if (leaveGroupOnClose) {
      options = options.withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP);
    }
    streams.close(options);
    monitoring.close();
    models.close();
    encoders.close();
    try {
      registry.close();
    } catch (Exception ignored) {
      // an HTTP client holds nothing to flush
    }
  }
}
