package io.fusionstream.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fusionstream.config.FusionConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who the dashboard's HTTP server answers: Host check, authentication, exempt probe paths, headers
 * and the cap on feed clients. Requests are written on raw sockets because the JDK's HTTP client
 * does not let a caller choose the Host header.
 */
class HttpServerSecurityTest {

  private final FusionMetrics metrics = new FusionMetrics();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    metrics.close();
  }

  private int start(HttpServer.Access access, DashboardFeed.Settings settings) {
    DashboardFeed feed = new DashboardFeed(metrics, settings).start();
    open.add(feed);
    HttpServer server = new HttpServer("127.0.0.1", 0, access, metrics, feed,
        new HealthCheck(() -> "RUNNING", () -> true, Optional::empty)).start();
    open.add(server);
    return server.port();
  }

  private int start(HttpServer.Access access) {
    return start(access, DashboardFeed.Settings.defaults());
  }

  @Test
  void aRequestNamingAnotherHostIsRefused() throws IOException {
    int port = start(HttpServer.Access.local());

    assertThat(get(port, "/", "attacker.example:" + port, null).status).isEqualTo(403);
    assertThat(get(port, "/health", "attacker.example", null).status).isEqualTo(403);
    assertThat(get(port, "/events", "rebound.attacker.example:" + port, null).status).isEqualTo(403);
    assertThat(get(port, "/", "localhost:" + port, null).status).isEqualTo(200);
    assertThat(get(port, "/", "127.0.0.1:" + port, null).status).isEqualTo(200);
  }

  @Test
  void namesAddedToTheAllowedHostsAreServed() throws IOException {
    int port = start(new HttpServer.Access(HttpAuth.none(), Set.of(), Set.of("fusion-app.fusion.svc")));

    assertThat(get(port, "/health", "fusion-app.fusion.svc:" + port, null).status).isEqualTo(200);
    assertThat(get(port, "/health", "other.fusion.svc:" + port, null).status).isEqualTo(403);
  }

  @Test
  void withoutAuthEveryPathIsServed() throws IOException {
    int port = start(HttpServer.Access.local());

    for (String path : List.of("/", "/health", "/metrics")) {
      assertThat(get(port, path, "localhost", null).status).as(path).isEqualTo(200);
    }
  }

  @Test
  void basicAuthGuardsEverythingButTheExemptPaths() throws IOException {
    int port = start(new HttpServer.Access(HttpAuth.basic("ops:s3cret"), Set.of("/health"), Set.of()));
    String good = "Basic " + Base64.getEncoder().encodeToString("ops:s3cret".getBytes(StandardCharsets.UTF_8));
    String bad = "Basic " + Base64.getEncoder().encodeToString("ops:guess".getBytes(StandardCharsets.UTF_8));

    Response refused = get(port, "/", "localhost", null);
    assertThat(refused.status).isEqualTo(401);
    assertThat(refused.headers.get("www-authenticate")).startsWith("Basic");
    assertThat(get(port, "/", "localhost", bad).status).isEqualTo(401);
    assertThat(get(port, "/events", "localhost", null).status).isEqualTo(401);
    assertThat(get(port, "/metrics", "localhost", null).status).isEqualTo(401);
    assertThat(get(port, "/", "localhost", good).status).isEqualTo(200);
    assertThat(get(port, "/metrics", "localhost", good).status).isEqualTo(200);
    assertThat(get(port, "/health", "localhost", null).status).as("exempt for probes").isEqualTo(200);
    assertThat(get(port, "/health/live", "localhost", null).status).isEqualTo(200);
  }

  @Test
  void bearerAuthTakesItsTokenFromTheEnvironmentOrAFile(@TempDir Path dir) throws IOException {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(FusionConfig.HTTP_AUTH, "bearer");
    assertThatThrownBy(() -> HttpAuth.from(new FusionConfig(settings), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining(FusionConfig.ENV_HTTP_BEARER_TOKEN);

    HttpAuth fromEnv = HttpAuth.from(new FusionConfig(settings), Map.of(FusionConfig.ENV_HTTP_BEARER_TOKEN, "t0ken\n"));
    assertThat(fromEnv.allows("Bearer t0ken")).isTrue();
    assertThat(fromEnv.allows("Bearer t0ke")).isFalse();
    assertThat(fromEnv.toString()).doesNotContain("t0ken");

    Path file = Files.writeString(dir.resolve("token"), "from-file\n");
    settings.put(FusionConfig.HTTP_AUTH_FILE, file.toString());
    HttpAuth fromFile = HttpAuth.from(new FusionConfig(settings), Map.of(FusionConfig.ENV_HTTP_BEARER_TOKEN, "t0ken"));

    int port = start(new HttpServer.Access(fromFile, Set.of(), Set.of()));
    assertThat(get(port, "/", "localhost", "Bearer t0ken").status).isEqualTo(401);
    assertThat(get(port, "/", "localhost", "Bearer from-file").status).isEqualTo(200);
  }

  @Test
  void thePageForbidsFramingSniffingAndForeignScripts() throws IOException {
    int port = start(HttpServer.Access.local());

    Response page = get(port, "/", "localhost", null);
    assertThat(page.headers.get("x-frame-options")).isEqualTo("DENY");
    assertThat(page.headers.get("x-content-type-options")).isEqualTo("nosniff");
    assertThat(page.headers.get("content-security-policy"))
        .contains("script-src 'self'", "frame-ancestors 'none'", "default-src 'none'");
    // the policy forbids inline script: the page must not rely on any
    assertThat(page.body).doesNotContainPattern("<script>[^<]").doesNotContain("onclick=", "onload=");
  }

  @Test
  void twentyIdleFeedClientsDoNotStopTheFeedForOneThatReads() throws IOException {
    int port = start(HttpServer.Access.local(),
        new DashboardFeed.Settings(Duration.ofMillis(20), 5, 3, 2, 0.5).withMaxClients(21).withClientQueue(8));
    List<Socket> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        Socket s = new Socket("127.0.0.1", port);
        idle.add(s);
        request(s, "/events", "localhost", null);
        // never read: the server's writes pile up for this client only
      }
      try (Socket reader = new Socket("127.0.0.1", port)) {
        reader.setSoTimeout(10_000);
        request(reader, "/events", "localhost", null);
        BufferedReader in = new BufferedReader(new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8));
        assertThat(in.readLine()).contains("200");
        int snapshots = 0;
        for (String line; snapshots < 50 && (line = in.readLine()) != null; ) {
          if (line.equals("event: snapshot")) {
            snapshots++;
          }
        }
        assertThat(snapshots).isEqualTo(50);
      }
    } finally {
      for (Socket s : idle) {
        s.close();
      }
    }
  }

  @Test
  void feedsBeyondTheCapAreAnswered503() throws IOException {
    int port = start(HttpServer.Access.local(), DashboardFeed.Settings.defaults().withMaxClients(2));
    List<Socket> feeds = new ArrayList<>();
    try {
      AtomicInteger opened = new AtomicInteger();
      for (int i = 0; i < 2; i++) {
        Socket s = new Socket("127.0.0.1", port);
        feeds.add(s);
        request(s, "/events", "localhost", null);
        s.setSoTimeout(10_000);
        String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (status.contains("200")) {
          opened.incrementAndGet();
        }
      }
      assertThat(opened).hasValue(2);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(get(port, "/events", "localhost", null).status).isEqualTo(503));
      PrometheusText scrape = new PrometheusText(get(port, "/metrics", "localhost", null).body());
      assertThat(scrape.value("fusion_dashboard_subscriptions_refused_total")).isGreaterThanOrEqualTo(1);
      assertThat(scrape.value("fusion_dashboard_clients")).isEqualTo(2);
    } finally {
      for (Socket s : feeds) {
        s.close();
      }
    }
  }

  // ---- raw HTTP/1.1 ----------------------------------------------------------------------------

  private record Response(int status, Map<String, String> headers, String body) {}

  private static void request(Socket s, String path, String host, String authorization) throws IOException {
    StringBuilder req = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(host).append("\r\n")
        .append("Accept: ").append(path.equals("/events") ? "text/event-stream" : "*/*").append("\r\n");
    if (authorization != null) {
      req.append("Authorization: ").append(authorization).append("\r\n");
    }
    req.append("Connection: close\r\n\r\n");
    OutputStream out = s.getOutputStream();
    out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** One request; a feed's body is not read (the connection is closed after the headers). */
  private static Response get(int port, String path, String host, String authorization) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      request(s, path, host.contains(":") ? host : host + ":" + port, authorization);
      java.io.InputStream in = s.getInputStream();
      String statusLine = line(in);
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line; !(line = line(in)).isEmpty(); ) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), line.substring(colon + 1).trim());
      }
      String body = "";
      if (!String.valueOf(headers.get("content-type")).startsWith("text/event-stream")) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8); // Connection: close ends it
      }
      return new Response(status, headers, body);
    }
  }

  private static String line(java.io.InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }
}
