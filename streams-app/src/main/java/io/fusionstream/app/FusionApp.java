package io.fusionstream.app;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.encode.EncoderFactory;
import io.fusionstream.encode.Encoders;
import io.fusionstream.fusion.DjlFusionModel;
import io.fusionstream.fusion.EncoderRequirement;
import java.util.List;
import io.fusionstream.fusion.ModelStore;
import io.fusionstream.monitor.Monitoring;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.serde.AvroDeserializer;
import io.fusionstream.serde.RestSchemaRegistryClient;
import io.fusionstream.serde.SchemaRegistryClient;
import io.fusionstream.topology.FusionTopology;
import io.fusionstream.topology.InternalTopics;
import io.fusionstream.topology.StreamsConfigFactory;
import io.fusionstream.topology.TaskFailureTracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
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

  /** How often the group's lag is measured for /metrics: a Prometheus scrape interval. */
  private static final Duration LAG_POLL_INTERVAL = Duration.ofSeconds(15);

  private final FusionConfig config;
  private final String applicationId;
  private final SchemaRegistryClient registry;
  private final Encoders encoders;
  private final ModelStore models;
  private final Monitoring monitoring;
  private final KafkaStreams streams;
  private final CountDownLatch dead = new CountDownLatch(1);
  private final CountDownLatch closing = new CountDownLatch(1);
  private final TaskFailureTracker failures;
  private volatile boolean leaveGroupOnClose;
  private List<String> unflushed;

  /**
   * How long {@link #close()} takes at most. Under the 10 s a user waits after Ctrl-C, and under
   * the 30 s a container orchestrator waits before it kills.
   */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(8);

  private FusionApp(Map<String, String> settings, UnaryOperator<Encoders> encoderDecorator) throws IOException {
    this.applicationId = settings.getOrDefault(org.apache.kafka.streams.StreamsConfig.APPLICATION_ID_CONFIG,
        StreamsConfigFactory.DEFAULT_APPLICATION_ID);
    this.config = withRepartitionPartitions(new FusionConfig(settings), settings, applicationId);
    Path modelDir = Path.of(config.getString(FusionConfig.MODEL_DIR));
    if (!Files.isDirectory(modelDir)) {
      throw new IllegalStateException("No fusion model directory at " + modelDir.toAbsolutePath()
          + ": train one with ./fusion train --out " + modelDir + " (or set " + FusionConfig.MODEL_DIR + ")");
    }
    this.registry = new RestSchemaRegistryClient(settings);
    log.info("Threads: {}", config.threads().describe());
    this.encoders = encoderDecorator.apply(EncoderFactory.create(config.encoderSettings()));
    this.monitoring = new Monitoring(Monitoring.Settings.from(config, System.getenv()));
    // Only fusion models trained on these encoders may serve: others are refused, at start and on reload.
    try {
      this.models = ModelStore.open(modelDir, DjlFusionModel::load,
          Duration.ofMillis(config.getLong(FusionConfig.MODEL_POLL_MS)), EncoderRequirement.of(encoders),
          monitoring.metrics()::modelRefused);
    } catch (IOException | RuntimeException e) {
      // No model fits (or none loads): nothing will close this app, so free the native encoder
      // sessions here; a caller may well start again with other settings in the same JVM.
      monitoring.close();
      encoders.close();
      throw e;
    }
    monitoring.metrics().modelVersion(models.currentVersion());
    // The "disagree" flag follows the threshold each model was calibrated with, across reloads.
    monitoring.feed().disagreementThreshold(() -> {
      try (ModelStore.Lease model = models.current()) {
        return model.calibration().disagreementThreshold();
      }
    });
    var topology = FusionTopology.builder(config, registry).encoders(encoders)
        .fusionModel(models::current).metrics(monitoring.metrics()).build();
    InternalTopics.growInputSideChangelogs(io.fusionstream.config.ConfigLoader.clientSettings(settings), topology,
        applicationId, Duration.ofSeconds(60));
    InternalTopics.logStateSizes(io.fusionstream.config.ConfigLoader.clientSettings(settings), applicationId,
        Duration.ofSeconds(30));
    Map<String, Object> user = new HashMap<>(settings);
    this.failures = TaskFailureTracker.from(config);
    Properties props = StreamsConfigFactory.create(config, user, monitoring.metrics(), failures);
    this.streams = new KafkaStreams(topology, props);
    streams.setUncaughtExceptionHandler(this::onStreamThreadFailure);
    streams.setGlobalStateRestoreListener(new io.fusionstream.monitor.RestoreProgress(monitoring.metrics().registry()));
    streams.setStateListener((now, before) -> {
      log.info("Kafka Streams {} -> {}", before, now);
      if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
        dead.countDown();
      }
    });
  }

  /** The repartition topic's count, decided against the cluster before the topology is built. */
  private static FusionConfig withRepartitionPartitions(FusionConfig config, Map<String, String> settings,
      String applicationId) {
    var resolution = InternalTopics.resolve(io.fusionstream.config.ConfigLoader.clientSettings(settings), config,
        applicationId, Duration.ofSeconds(60));
    Map<String, Object> resolved = config.asMap();
    resolved.put(FusionConfig.REPARTITION_PARTITIONS, resolution.partitions());
    return new FusionConfig(resolved);
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
    return start(settings, UnaryOperator.identity());
  }

  /**
   * As {@link #start(Map)}, with the real encoders passed through {@code encoderDecorator} first:
   * the chaos test wraps them to inject a fault no real model input can trigger. Not for production.
   */
  public static FusionApp start(Map<String, String> settings, UnaryOperator<Encoders> encoderDecorator)
      throws IOException {
    FusionApp app = new FusionApp(settings, encoderDecorator);
    try {
      app.monitoring.start(app.streams, () -> app.models.currentVersion() != null, app.failures::downReason);
      app.monitoring.followTopics(io.fusionstream.config.ConfigLoader.clientSettings(settings), app.config.predictionsTopic(), app.config.dlqTopic(),
          new AvroDeserializer<>(app.registry, FusedPrediction.class));
      app.monitoring.followLag(io.fusionstream.config.ConfigLoader.clientSettings(settings),
          app.applicationId, List.of(app.config.textTopic(), app.config.imageTopic(), app.config.audioTopic()),
          LAG_POLL_INTERVAL);
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

  public Encoders encoders() {
    return encoders;
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

  /**
   * Stops everything within {@link #CLOSE_TIMEOUT} in any state (broker gone, a stream thread
   * failing, restoring) and logs what was not flushed.
   */
  @Override
  public void close() {
    List<String> unflushed = shutdown(CLOSE_TIMEOUT);
    if (!unflushed.isEmpty()) {
      log.warn("Stopped without flushing: {}", String.join("; ", unflushed));
    }
  }

  /**
   * Stops everything within about {@code timeout} and returns what could not be flushed or
   * committed in that time; empty when the stop was clean. Calling it again returns the first
   * answer, so a shutdown hook and a try-with-resources can both call it.
   *
   * <p>Kafka Streams gets most of the time. When it cannot finish (it commits and aborts
   * transactions against brokers that may be gone), its threads are abandoned rather than
   * waited for: with exactly-once nothing uncommitted becomes visible, and a restart reprocesses
   * from the last commit. The encoders are then left open, since a stream thread may still be
   * inside one and freeing native memory under it would crash the JVM; the process exit frees it.
   */
  public List<String> shutdown(Duration timeout) {
    synchronized (this) {
      if (unflushed != null) {
        return unflushed;
      }
      unflushed = List.of(); // a second caller during the stop gets an answer at once
    }
    closing.countDown(); // ends a failed thread's backoff wait at once
    long start = System.nanoTime();
    List<String> notFlushed = new ArrayList<>();
    // The rest (HTTP server, dashboard tail, model watcher, registry client) needs well under 2 s.
    Duration streamsBudget = timeout.minusSeconds(2).isNegative() ? timeout : timeout.minusSeconds(2);
    CloseOptions options = CloseOptions.timeout(streamsBudget);
    if (leaveGroupOnClose) {
      options = options.withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP);
    }
    KafkaStreams.State before = streams.state();
    boolean streamsStopped;
    try {
      streamsStopped = streams.close(options);
    } catch (RuntimeException e) {
      streamsStopped = false;
      log.debug("Kafka Streams close failed", e);
    }
    if (!streamsStopped) {
      notFlushed.add(String.format(Locale.ROOT,
          "Kafka Streams (%s when asked to stop) did not finish within %d s: output and offsets since the last "
              + "commit were not committed and are processed again on restart, and pending batches stay in "
              + "their changelogged stores", before, streamsBudget.toSeconds()));
    }
    closeQuietly("monitoring", monitoring);
    closeQuietly("model store", models);
    if (streamsStopped) {
      closeQuietly("encoders", encoders);
    } else {
      notFlushed.add("encoders left open (a stream thread may still be in one); the process exit frees them");
    }
    closeQuietly("registry client", registry);
    log.info("FusionStream stopped in {} ms{}", (System.nanoTime() - start) / 1_000_000,
        notFlushed.isEmpty() ? "" : " without flushing everything");
    synchronized (this) {
      unflushed = List.copyOf(notFlushed);
      return unflushed;
    }
  }

  private static void closeQuietly(String what, AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      log.warn("Closing the {} failed: {}", what, e.toString());
    }
  }
}
