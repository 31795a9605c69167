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
 * from the webjar under {@code /webjars/}, so it works without any outside network, and the
 * Content-Security-Policy allows nothing else.
 *
 * <p>Every request passes, in order: the Host check ({@link HostCheck}; 403 for a name this server
 * does not answer to), then authentication ({@link HttpAuth}; 401) unless its path is exempt. The
 * feed admits {@link DashboardFeed.Settings#maxClients()} browsers (503 beyond).
 */
public final class HttpServer implements AutoCloseable {

  /** The Prometheus text exposition format the registry writes. */
  public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final String RESOURCES = "/dashboard";
  /** Only the page's own files; no inline script or style, no framing, no form posts. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
      + "frame-ancestors 'none'";

  /**
   * Who may reach the server.
   *
   * @param auth how requests authenticate
   * @param exemptPaths paths served without authentication: {@code /health} (with its sub-paths) and
   *     {@code /metrics}
   * @param allowedHosts Host-header names accepted besides the bound ones; {@code *} for any
   */
  public record Access(HttpAuth auth, Set<String> exemptPaths, Set<String> allowedHosts) {
    public Access {
      Objects.requireNonNull(auth, "auth");
      exemptPaths = Set.copyOf(exemptPaths);
      allowedHosts = Set.copyOf(allowedHosts);
    }

    /** No authentication, only the bound names: what a local demo needs. */
    public static Access local() {
      return new Access(HttpAuth.none(), Set.of(), Set.of());
    }
  }

  private final FusionMetrics metrics;
  private final DashboardFeed feed;
  private final HealthCheck health;
  private final String indexHtml;
  private final Javalin app;
  private final Set<SseClient> sseClients = ConcurrentHashMap.newKeySet();
  private final Access access;
  private final HostCheck hosts;

  /**
   * @param host interface to bind, e.g. {@code 127.0.0.1}
   * @param port port to listen on; 0 picks a free one (see {@link #port()})
   */
  public HttpServer(String host, int port, FusionMetrics metrics, DashboardFeed feed, HealthCheck health) {
    this(host, port, Access.local(), metrics, feed, health);
  }

  public HttpServer(String host, int port, Access access, FusionMetrics metrics, DashboardFeed feed,
      HealthCheck health) {
    this.access = Objects.requireNonNull(access, "access");
    this.hosts = HostCheck.forBinding(host, access.allowedHosts());
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
      cfg.routes.before(this::guard);
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

  /** Host check, security headers and authentication, before any route. */
  private void guard(Context ctx) {
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cache-Control", "no-store");
    if (!hosts.allows(ctx.header("Host"))) {
      refuse(ctx, HttpStatus.FORBIDDEN, "Host not allowed: add it to fusion.http.allowed.hosts to serve it");
      return;
    }
    if (access.auth().enabled() && !exempt(ctx.path()) && !access.auth().allows(ctx.header("Authorization"))) {
      ctx.header("WWW-Authenticate", access.auth().challenge());
      refuse(ctx, HttpStatus.UNAUTHORIZED, "Unauthorized");
      return;
    }
    if (ctx.path().equals("/events") && !feed.hasRoom()) {
      metrics.dashboardSubscriptionRefused();
      ctx.header("Retry-After", "10");
      refuse(ctx, HttpStatus.SERVICE_UNAVAILABLE, "Too many dashboard clients");
    }
  }

  private boolean exempt(String path) {
    for (String open : access.exemptPaths()) {
      if (path.equals(open) || path.startsWith(open + "/")) {
        return true;
      }
    }
    return false;
  }

  private static void refuse(Context ctx, HttpStatus status, String message) {
    ctx.status(status).contentType("text/plain; charset=utf-8").result(message);
    ctx.skipRemainingHandlers();
  }

  private void events(SseClient client) {
    DashboardFeed.Client sink = new DashboardFeed.Client() {
      @Override
      public void send(String event, String json) throws IOException {
        if (client.terminated()) {
          throw new IOException("dashboard client disconnected");
        }
        client.sendEvent(event, json);
      }

      @Override
      public void dropped() {
        // a browser that stopped reading: closing ends its request, freeing its sender
        client.close();
      }
    };
    client.onClose(() -> {
      sseClients.remove(client);
      feed.unsubscribe(sink);
    });
    if (!feed.subscribe(sink)) {
      client.sendEvent("busy", "{\"message\":\"too many dashboard clients\"}");
      client.close();
      return;
    }
    sseClients.add(client);
    client.keepAlive();
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
