package io.fusionstream.monitor;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.schema.FusedPrediction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The application's monitoring in one piece: the metrics, the dashboard feed, the HTTP server and
 * the topic tail, started in the order the app can provide them and closed in reverse.
 *
 * <pre>{@code
 * Monitoring monitoring = new Monitoring(Monitoring.Settings.onPort(config.getInt(FusionConfig.HTTP_PORT)));
 * Topology topology = FusionTopology.builder(config, registry).metrics(monitoring.metrics())...build();
 * KafkaStreams streams = new KafkaStreams(topology, StreamsConfigFactory.create(config, user, monitoring.metrics()));
 * monitoring.metrics().modelVersion(model.version());             // optional: the fuse stage reports it per batch
 * monitoring.start(streams, modelStore::isLoaded);                 // /, /metrics, /health, /events
 * monitoring.followTopics(clientConfig, config.predictionsTopic(), config.dlqTopic(), predictionSerde.deserializer());
 * streams.start();
 * }</pre>
 */
public final class Monitoring implements AutoCloseable {

  /**
   * @param host interface the HTTP server binds
   * @param port HTTP port; 0 picks a free one
   * @param access authentication and accepted Host names
   */
  public record Settings(String host, int port, DashboardFeed.Settings dashboard, HttpServer.Access access) {
    public Settings {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(dashboard, "dashboard");
      Objects.requireNonNull(access, "access");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535], was " + port);
      }
    }

    /** No authentication; only requests naming the bound host (or localhost) are served. */
    public Settings(String host, int port, DashboardFeed.Settings dashboard) {
      this(host, port, dashboard, HttpServer.Access.local());
    }

    /** This machine only, the given port, the default dashboard settings. */
    public static Settings onPort(int port) {
      return new Settings("127.0.0.1", port, DashboardFeed.Settings.defaults());
    }

    /**
     * The fusion.http.* settings; credentials from {@code env} or the configured file.
     *
     * @throws org.apache.kafka.common.config.ConfigException when auth is asked for without a credential
     */
    public static Settings from(FusionConfig config, Map<String, String> env) {
      HttpServer.Access access = new HttpServer.Access(HttpAuth.from(config, env),
          new java.util.HashSet<>(config.getList(FusionConfig.HTTP_AUTH_EXEMPT_PATHS)),
          new java.util.HashSet<>(config.getList(FusionConfig.HTTP_ALLOWED_HOSTS)));
      return new Settings(config.getString(FusionConfig.HTTP_HOST), config.getInt(FusionConfig.HTTP_PORT),
          DashboardFeed.Settings.defaults().withMaxClients(config.getInt(FusionConfig.HTTP_MAX_STREAM_CLIENTS)),
          access);
    }
  }

  private final Settings settings;
  private final FusionMetrics metrics = new FusionMetrics();
  private final DashboardFeed feed;
  private final List<AutoCloseable> started = new ArrayList<>();
  private HttpServer server;

  public Monitoring(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    metrics.bindJvm();
    this.feed = new DashboardFeed(metrics, settings.dashboard());
  }

  /** The pipeline's metrics: pass them to the topology builder and to the Streams config factory. */
  public FusionMetrics metrics() {
    return metrics;
  }

  public DashboardFeed feed() {
    return feed;
  }

  /**
   * Binds the Kafka Streams client metrics and state, and starts the dashboard feed and the HTTP
   * server; ready (HTTP 200 on /health) once the client is RUNNING and {@code modelsLoaded} is true.
   */
  public synchronized Monitoring start(KafkaStreams streams, BooleanSupplier modelsLoaded) {
    return start(streams, modelsLoaded, Optional::empty);
  }

  /**
   * As {@link #start(KafkaStreams, BooleanSupplier)}; {@code failing} (e.g. a task that keeps
   * failing) makes /health and /health/live DOWN with its text as the reason.
   */
  public synchronized Monitoring start(KafkaStreams streams, BooleanSupplier modelsLoaded,
      Supplier<Optional<String>> failing) {
    if (server != null) {
      throw new IllegalStateException("Monitoring already started on port " + server.port());
    }
    metrics.bindKafkaStreams(streams);
    feed.start();
    server = new HttpServer(settings.host(), settings.port(), settings.access(), metrics, feed,
        new HealthCheck(() -> streams.state().name(), modelsLoaded, failing)).start();
    started.add(server);
    return this;
  }

  /** Shows the predictions and dead letters written to these topics on the dashboard. */
  public synchronized Monitoring followTopics(Map<String, Object> clientConfig, String predictionsTopic,
      String deadLetterTopic, Deserializer<FusedPrediction> predictions) {
    started.add(new DashboardTopicTail(clientConfig, predictionsTopic, deadLetterTopic, predictions, feed).start());
    return this;
  }

  /**
   * Publishes the consumer lag of the application's group ({@code fusion_input_lag_records}),
   * measured from the brokers every {@code interval}, for the input topics and the internal ones.
   */
  public synchronized ConsumerLagGauges followLag(Map<String, Object> clientConfig, String groupId,
      List<String> inputTopics, java.time.Duration interval) {
    ConsumerLagGauges lag = new ConsumerLagGauges(clientConfig, groupId, inputTopics, metrics.registry()).start(interval);
    started.add(lag);
    return lag;
  }

  /** The port the HTTP server listens on; only once started. */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("Monitoring is not started");
    }
    return server.port();
  }

  @Override
  public synchronized void close() {
    RuntimeException failure = null;
    List<AutoCloseable> toClose = new ArrayList<>(started);
    Collections.reverse(toClose);
    toClose.add(feed);
    toClose.add(metrics);
    for (AutoCloseable c : toClose) {
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("Closing monitoring failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    started.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
