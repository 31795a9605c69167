package io.fusionstream.monitor;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The application's HTTP port: the dashboard at {@code /}, its live feed at {@code /events}
 * (server-sent events), Prometheus metrics at {@code /metrics} and health at {@code /health}
 * (readiness; also {@code /health/ready} and {@code /health/live}).
 *
 * <p>Everything the page loads comes from the jar: its own files under {@code /static/} and uPlot
 * from the webjar under {@code /webjars/}, so it works without any outside network.
 */
public final class HttpServer implements AutoCloseable {

  /** The Prometheus text exposition format the registry writes. */
  public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final String RESOURCES = "/dashboard";

  private final FusionMetrics metrics;
  private final DashboardFeed feed;
  private final HealthCheck health;
  private final String indexHtml;
  private final Javalin app;
  private final Set<SseClient> sseClients = ConcurrentHashMap.newKeySet();

  /**
   * @param host interface to bind, e.g. {@code 0.0.0.0}
   * @param port port to listen on; 0 picks a free one (see {@link #port()})
   */
  public HttpServer(String host, int port, FusionMetrics metrics, DashboardFeed feed, HealthCheck health) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.feed = Objects.requireNonNull(feed, "feed");
    this.health = Objects.requireNonNull(health, "health");
    this.indexHtml = resource(RESOURCES + "/index.html");
    this.app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.jetty.host = host;
      cfg.jetty.port = port;
      cfg.staticFiles.enableWebjars();
      cfg.staticFiles.add(files -> {
        files.hostedPath = "/static";
        files.directory = RESOURCES;
        files.location = Location.CLASSPATH;
      });
      cfg.routes.get("/", ctx -> ctx.html(indexHtml));
      cfg.routes.get("/metrics", this::metrics);
      cfg.routes.get("/health", ctx -> health(ctx, true));
      cfg.routes.get("/health/ready", ctx -> health(ctx, true));
      cfg.routes.get("/health/live", ctx -> health(ctx, false));
      cfg.routes.sse("/events", this::events);
    });
  }

  public HttpServer start() {
    app.start();
    return this;
  }

  /** The port it listens on (the chosen one when started with port 0). */
  public int port() {
    return app.port();
  }

  private void metrics(Context ctx) {
    ctx.contentType(PROMETHEUS_CONTENT_TYPE).result(metrics.scrape());
  }

  private void health(Context ctx, boolean readiness) {
    HealthCheck.Result result = health.evaluate();
    boolean up = readiness ? result.ready() : result.live();
    ctx.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
        .contentType("application/json")
        .result(feed.toJson(result.body(readiness)));
  }

  private void events(SseClient client) {
    client.keepAlive();
    DashboardFeed.Client sink = (event, json) -> {
      if (client.terminated()) {
        throw new IOException("dashboard client disconnected");
      }
      client.sendEvent(event, json);
    };
    sseClients.add(client);
    client.onClose(() -> {
      sseClients.remove(client);
      feed.unsubscribe(sink);
    });
    feed.subscribe(sink);
  }

  private static String resource(String path) {
    try (InputStream in = HttpServer.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("Dashboard resource " + path + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read dashboard resource " + path, e);
    }
  }

  @Override
  public void close() {
    // Open event streams would hold the server's graceful stop until they time out.
    for (SseClient client : sseClients) {
      client.close();
    }
    app.stop();
  }
}
