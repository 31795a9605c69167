package io.fusionstream.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Opens the dashboard in Debian's headless Chromium while synthetic sessions flow, and checks that
 * the charts render, that no axis label is clipped at 1280 and 1920 px wide, and that predictions
 * appear and update. Leaves screenshots in {@code streams-app/target/}: {@code dashboard.png},
 * {@code dashboard-1280.png} and {@code dashboard-1920.png}. Skipped where Chromium or its driver is not installed
 * ({@code apt-get install chromium chromium-driver}; {@code .ci/run} installs them).
 */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DashboardBrowserIT {

  private static final String CHROMIUM = System.getProperty("chromium.binary", "/usr/bin/chromium");
  private static final String CHROMEDRIVER = System.getProperty("chromedriver.binary", "/usr/bin/chromedriver");
  private static final List<String> CHARTS = List.of("chart-throughput", "chart-latency", "chart-batch", "chart-lag");
  /** An upper bound for the page to catch up, not a speed requirement. */
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private FusionMetrics metrics;
  private DashboardFeed feed;
  private HttpServer server;
  private ScheduledExecutorService sessions;
  private ChromeDriver driver;
  private Path profile;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(Files.isExecutable(Path.of(CHROMIUM)),
        "Chromium not found at " + CHROMIUM + ": apt-get install chromium chromium-driver (or -Dchromium.binary=)");
    assumeTrue(Files.isExecutable(Path.of(CHROMEDRIVER)),
        "chromedriver not found at " + CHROMEDRIVER + ": apt-get install chromium-driver (or -Dchromedriver.binary=)");

    metrics = new FusionMetrics();
    feed = new DashboardFeed(metrics, new DashboardFeed.Settings(Duration.ofMillis(500), 300, 50, 20, 0.5)).start();
    server = new HttpServer("127.0.0.1", 0, metrics, feed, new HealthCheck(() -> "RUNNING", () -> true)).start();
    sessions = Executors.newSingleThreadScheduledExecutor();
    // Latencies like the demo's (the window's wait included): 5-digit millisecond axis labels.
    sessions.scheduleAtFixedRate(new SyntheticSessions(metrics, feed, 7_000, 9_000), 0, 250, TimeUnit.MILLISECONDS);
    // Lag as the group's lag gauges report it: an input partition with a backlog in the thousands
    // (4-digit labels on the lag chart) and the repartition topic with a little.
    io.micrometer.core.instrument.Gauge.builder(ConsumerLagGauges.LAG, () -> 1_000 + (System.nanoTime() / 1_000_000) % 9_000)
        .tags("topic", "text-events", "partition", "0").register(metrics.registry());
    io.micrometer.core.instrument.Gauge.builder(ConsumerLagGauges.LAG, () -> (System.nanoTime() / 1_000_000) % 300)
        .tags("topic", "fusion-encoded-by-session-repartition", "partition", "0").register(metrics.registry());

    profile = Files.createTempDirectory("fusion-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1440,1300", "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    // The driver binary is given, so Selenium Manager never tries to download one.
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
  }

  @AfterEach
  void stop() throws Exception {
    if (driver != null) {
      driver.quit();
    }
    if (sessions != null) {
      sessions.shutdownNow();
    }
    if (server != null) {
      server.close();
    }
    if (feed != null) {
      feed.close();
    }
    if (metrics != null) {
      metrics.close();
    }
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void chartsRenderAndPredictionsAppearAndUpdateWhileSessionsFlow() throws Exception {
    driver.get("http://127.0.0.1:" + server.port() + "/");
    WebDriverWait wait = new WebDriverWait(driver, PATIENCE);
    wait.ignoring(StaleElementReferenceException.class);
    JavascriptExecutor js = driver;

    // Charts: a uPlot canvas with a real size in each panel, with points arriving.
    for (String chart : CHARTS) {
      wait.until(d -> {
        List<WebElement> canvases = d.findElements(By.cssSelector("#" + chart + " canvas"));
        return !canvases.isEmpty() && canvases.get(0).getSize().getWidth() > 100
            && canvases.get(0).getSize().getHeight() > 100;
      });
      wait.until(d -> ((Number) js.executeScript("return window.fusionDashboard.points(arguments[0])", chart))
          .intValue() >= 3);
    }

    // Predictions appear ...
    wait.until(d -> rowCount() >= 2);
    Set<String> firstSessions = sessionIds();
    // ... and update: sessions not in the table before show up, and a session gets its second prediction.
    wait.until(d -> !firstSessions.containsAll(sessionIds()));
    wait.until(d -> Boolean.TRUE.equals(js.executeScript(
        "return Array.from(document.querySelectorAll('#predictions tbody tr')).some(r => +r.dataset.updates >= 2)")));
    wait.until(d -> !d.findElements(By.cssSelector("#predictions .flag")).isEmpty());
    wait.until(d -> rowCount() >= 6);

    // Rows are replaced as predictions arrive, so read the newest one in a single script call.
    @SuppressWarnings("unchecked")
    Map<String, Object> newest = (Map<String, Object>) js.executeScript(
        "const row = document.querySelector('#predictions tbody tr');"
            + "return {label: row.querySelector('.label').textContent,"
            + " scoreBars: row.querySelectorAll('.probabilities .bar').length,"
            + " weightBars: row.querySelectorAll('.weights .bar').length,"
            + " present: row.querySelectorAll('.present .chip.on').length};");
    assertThat(newest.get("label")).isIn(SyntheticSessions.LABELS.toArray());
    assertThat((Long) newest.get("scoreBars")).isEqualTo(SyntheticSessions.LABELS.size());
    assertThat((Long) newest.get("weightBars")).isEqualTo(3);
    assertThat((Long) newest.get("present")).isBetween(1L, 3L);

    // Header and dead letters.
    wait.until(d -> SyntheticSessions.MODEL_VERSION.equals(d.findElement(By.id("model-version")).getText()));
    assertThat(driver.findElement(By.id("pipeline-state")).getText()).isEqualTo("RUNNING");
    wait.until(d -> !d.findElements(By.cssSelector("#dead-letters li")).isEmpty());
    wait.until(d -> !d.findElements(By.cssSelector("#dead-letter-reasons .reason")).isEmpty());
    assertThat(driver.findElement(By.id("feed-state")).getText()).isEqualTo("live");

    // Let a few more snapshots land so the screenshot shows lines, then keep it for a human to look at.
    int points = ((Number) js.executeScript("return window.fusionDashboard.points('chart-throughput')")).intValue();
    wait.until(d -> ((Number) js.executeScript("return window.fusionDashboard.points('chart-throughput')"))
        .intValue() >= Math.max(points + 6, 16));
    Path target = Path.of(System.getProperty("project.build.directory", "target"));
    Files.createDirectories(target);
    File shot = driver.getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), target.resolve("dashboard.png"), StandardCopyOption.REPLACE_EXISTING);

    List<String> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage).collect(Collectors.toList());
    assertThat(errors).as("browser console errors").isEmpty();
  }

  @Test
  void noAxisLabelIsClippedAtCommonScreenWidths() throws Exception {
    driver.get("http://127.0.0.1:" + server.port() + "/");
    WebDriverWait wait = new WebDriverWait(driver, PATIENCE);
    JavascriptExecutor js = driver;
    for (int width : new int[] {1280, 1920}) {
      driver.manage().window().setSize(new Dimension(width, 1300));
      for (String chart : CHARTS) {
        wait.until(d -> ((Number) js.executeScript("return window.fusionDashboard.points(arguments[0])", chart))
            .intValue() >= 3);
      }
      // The latency quantiles reach 5 digits (e.g. "10,000" ms), the case that was cut to "0,000".
      wait.until(d -> yAxis(chart("chart-latency")).labels().stream().anyMatch(l -> l.replaceAll("\\D", "").length() >= 5));
      for (String chart : CHARTS) {
        YAxis y = yAxis(chart(chart));
        assertThat(y.labels()).as("%s at %d px has tick labels", chart, width).isNotEmpty();
        // uPlot draws y labels right-aligned left of the ticks; a label starting left of the
        // canvas is cut off.
        assertThat(y.leftmostLabelEdge()).as("%s at %d px: leftmost label edge of %s", chart, width, y.labels())
            .isGreaterThanOrEqualTo(0.0);
      }
      Path target = Path.of(System.getProperty("project.build.directory", "target"));
      Files.createDirectories(target);
      File shot = driver.getScreenshotAs(OutputType.FILE);
      Files.copy(shot.toPath(), target.resolve("dashboard-" + width + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private record YAxis(List<String> labels, double leftmostLabelEdge) {}

  private Map<String, Object> chart(String id) {
    // Read from the chart uPlot drew: its tick labels, the axis position and the font it used.
    @SuppressWarnings("unchecked")
    Map<String, Object> axis = (Map<String, Object>) driver.executeScript(
        "const u = window.fusionDashboard.plot(arguments[0]); const a = u.axes[1];"
            + "const ctx = document.createElement('canvas').getContext('2d'); ctx.font = a.font[0];"
            + "const labels = (a._values || []).filter(v => v !== null && v !== undefined).map(String);"
            + "const widest = labels.reduce((w, l) => Math.max(w, ctx.measureText(l).width), 0) / devicePixelRatio;"
            + "return {labels: labels, left: a._pos - (a.ticks.show ? a.ticks.size : 0) - a.gap - widest};", id);
    return axis;
  }

  @SuppressWarnings("unchecked")
  private static YAxis yAxis(Map<String, Object> axis) {
    return new YAxis((List<String>) axis.get("labels"), ((Number) axis.get("left")).doubleValue());
  }

  private long rowCount() {
    return (Long) driver.executeScript("return document.querySelectorAll('#predictions tbody tr').length");
  }

  @SuppressWarnings("unchecked")
  private Set<String> sessionIds() {
    return new HashSet<>((List<String>) driver.executeScript(
        "return Array.from(document.querySelectorAll('#predictions tbody tr')).map(r => r.dataset.session)"));
  }
}
