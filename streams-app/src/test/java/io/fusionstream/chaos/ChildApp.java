package io.fusionstream.chaos;

import io.fusionstream.monitor.PrometheusText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@link ChaosApp} process: started with a bounded heap, its output appended to one log file
 * that outlives the test, and looked at from outside only (process alive, HTTP health, metrics).
 */
final class ChildApp implements AutoCloseable {
  /** Small enough that a 2 GB allocation an input provokes fails for real. */
  static final String HEAP = "-Xmx384m";

  private final Process process;
  private final Path log;
  private final long logOffset;
  private final String name;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private volatile int port = -1;

  private ChildApp(Process process, Path log, long logOffset, String name) {
    this.process = process;
    this.log = log;
    this.logOffset = logOffset;
    this.name = name;
  }

  static ChildApp start(String name, Path settings, Path log) throws IOException {
    Files.createDirectories(log.getParent());
    Files.writeString(log, "\n===== " + Instant.now() + " starting " + name + " with " + settings + " =====\n",
        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    long offset = Files.size(log);
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, HEAP, "-XX:+UseSerialGC", "-Dai.djl.offline=true",
        "-cp", classpath, ChaosApp.class.getName(), settings.toString());
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return new ChildApp(pb.start(), log, offset, name);
  }

  String name() {
    return name;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Waits for the application's ready line, then for /health to answer UP. */
  void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + " before it was ready; see " + log);
      }
      if (port < 0) {
        port = readPort();
      }
      if (port >= 0 && healthUp()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(name + " not ready (HTTP health UP) within " + timeout + "; see " + log);
  }

  private int readPort() {
    try {
      byte[] all = Files.readAllBytes(log);
      String mine = new String(all, (int) Math.min(logOffset, all.length), (int) Math.max(0, all.length - logOffset),
          StandardCharsets.UTF_8);
      int at = mine.indexOf(ChaosApp.READY);
      if (at < 0) {
        return -1;
      }
      int start = at + ChaosApp.READY.length();
      int end = start;
      while (end < mine.length() && Character.isDigit(mine.charAt(end))) {
        end++;
      }
      return Integer.parseInt(mine.substring(start, end));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The body of /health, or why there is none. */
  String health() {
    HttpResponse<String> r = get("/health");
    return r == null ? "no answer" : r.statusCode() + " " + r.body();
  }

  boolean healthUp() {
    HttpResponse<String> r = get("/health");
    return r != null && r.statusCode() == 200 && r.body().contains("\"UP\"");
  }

  /** The sum of every sample of a Prometheus counter on /metrics; 0 when it is not there. */
  double counter(String name) {
    HttpResponse<String> r = get("/metrics");
    if (r == null || r.statusCode() != 200) {
      return Double.NaN;
    }
    List<PrometheusText.Sample> samples = new PrometheusText(r.body()).find(name);
    return samples.stream().mapToDouble(PrometheusText.Sample::value).sum();
  }

  private HttpResponse<String> get(String path) {
    if (port < 0 || !process.isAlive()) {
      return null;
    }
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** SIGTERM, so the application closes Kafka Streams; SIGKILL if it does not stop in time. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
