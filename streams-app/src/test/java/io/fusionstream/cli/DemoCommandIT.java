package io.fusionstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.encode.LearnedEncoderFixturesTest;
import io.fusionstream.fusion.ModelDescription;
import io.fusionstream.fusion.ModelVersions;
import io.fusionstream.registry.EmbeddedSchemaRegistry;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.serde.AvroDeserializer;
import io.fusionstream.serde.RestSchemaRegistryClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fusion demo} as a user runs it: the packaged jar in its own JVM, standard output and
 * standard error merged as on a terminal (native libraries write to the process's stderr, which
 * an in-process test cannot see), checked from outside the demo.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class DemoCommandIT {
  private static final Pattern KAFKA = Pattern.compile("Kafka bootstrap: localhost:(\\d+)");
  private static final Pattern REGISTRY = Pattern.compile("Schema registry: http://localhost:(\\d+)");
  private static final Pattern DASHBOARD = Pattern.compile("Dashboard: http://localhost:(\\d+)/");
  private static final Pattern MODEL = Pattern.compile(
      "Model: fusion v\\d+ \\((trained now on \\d+ synthetic sessions in \\d+ s|from an earlier run)"
          + "(, held-out accuracy \\d\\.\\d\\d)?\\) on (cpu|gpu:\\d+); encoders text \\S+, image \\S+( \\(baseline\\))?, audio \\S+( \\(baseline\\))?");
  /** A WARN (or native "[W...]") line from an inference engine: probing noise a user cannot act on. */
  private static final Pattern ENGINE_WARNING = Pattern.compile(
      "WARN\\s+(ai\\.djl|a\\.d\\.)\\S*|WARN\\s+\\S*(OrtEngine|PtEngine)|^\\[W\\d{4} .*\\] Warning:");

  @Test
  void addressesComeFirstEveryWindowIsFusedOnceAndARestartStopsPromptly(@TempDir Path dir) throws Exception {
    Demo demo = Demo.start(dir, "--sessions", "20", "--rate", "10", "--train-sessions", "150");
    try {
      Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> demo.lines().size() >= 4);
      List<String> first = demo.lines().subList(0, 4);
      int kafkaPort = port(KAFKA, first.get(0));
      int registryPort = port(REGISTRY, first.get(1));
      int httpPort = port(DASHBOARD, first.get(2));
      assertThat(first.get(3)).matches(MODEL);
      assertThat(first.get(3)).contains("trained now on 150 synthetic sessions");

      // The printed addresses answer while the demo runs: a Kafka client, a registry call, the page.
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", "localhost:" + kafkaPort))) {
        assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
      }
      HttpClient http = HttpClient.newHttpClient();
      assertThat(get(http, "http://localhost:" + registryPort + "/subjects").statusCode()).isEqualTo(200);
      assertThat(get(http, "http://localhost:" + httpPort + "/").body()).contains("FusionStream");

      assertThat(demo.awaitExit(6, TimeUnit.MINUTES)).as("the demo ends by itself after --sessions").isTrue();
      assertThat(demo.process.exitValue()).as(demo.text()).isZero();
    } finally {
      demo.process.destroyForcibly();
    }
    assertThat(demo.lines()).as("no engine warnings on a CPU-only machine:%n%s", demo.text())
        .noneMatch(l -> ENGINE_WARNING.matcher(l).find());
    Matcher summary = Pattern.compile("Summary: (\\d+) session windows generated, (\\d+) fused, (\\d+) missing")
        .matcher(demo.text());
    assertThat(summary.find()).as("the demo prints a summary").isTrue();
    assertThat(summary.group(1)).isEqualTo("20");
    assertThat(summary.group(2)).isEqualTo("20");
    assertThat(summary.group(3)).isEqualTo("0");
    // Both counts of the status line come from the same reads of the predictions topic: this run's
    // fused windows are never more than all fused windows.
    Matcher status = Pattern.compile("windows fused (\\d+) \\(this run's sessions: (\\d+)/(\\d+)\\)").matcher(demo.text());
    while (status.find()) {
      assertThat(Integer.parseInt(status.group(1))).as(status.group()).isGreaterThanOrEqualTo(Integer.parseInt(status.group(2)));
    }

    // Independently of the demo's own bookkeeping: restart the kept broker and registry from the
    // data dir and read the predictions topic as a consumer would.
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).dataDir(dir.resolve("kafka")).build();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).start()) {
      Map<String, Integer> perWindow = readPredictions(kafka.bootstrapServers(), registry.url());
      assertThat(perWindow).hasSize(20);
      assertThat(perWindow.values()).allMatch(n -> n == 1);
    }

    // A second run reuses the model, and SIGTERM (the same shutdown hook as Ctrl-C; SIGINT is
    // ignored by processes a non-interactive shell starts in the background, so a test cannot rely
    // on it) stops it well within the @Timeout, saying how it stopped.
    Demo again = Demo.start(dir);
    try {
      Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> again.text().contains("events in:"));
      assertThat(again.lines().get(3)).matches(MODEL).contains("from an earlier run");
      // Not Process.destroy(): it also closes our end of the pipe, and the demo's last lines with it.
      assertThat(again.process.toHandle().destroy()).as("SIGTERM sent").isTrue();
      assertThat(again.awaitExit(60, TimeUnit.SECONDS)).as("stopped after SIGTERM:%n%s", again.text()).isTrue();
    } finally {
      again.process.destroyForcibly();
    }
    assertThat(again.text()).contains("FusionStream stopped in");
  }

  /**
   * {@code --image-model} / {@code --audio-model} with the committed fixture networks (ONNX
   * MobileNetV3 image tower, TorchScript log-mel CNN, random weights): the demo trains its fusion
   * model on their embeddings, that model records their ids and dims, and every window is fused.
   * Then the same model is put where the built-in encoders' model lives: the demo refuses to
   * start, naming the encoders it was trained on and the ones running.
   */
  @Test
  void learnedEncodersTrainTheirOwnFusionModelWhichOtherEncodersRefuse(@TempDir Path dir) throws Exception {
    Path image = LearnedEncoderFixturesTest.fixture("image-onnx");
    Path audio = LearnedEncoderFixturesTest.fixture("audio-torchscript");
    Demo demo = Demo.start(dir, "--sessions", "6", "--rate", "5", "--train-sessions", "80",
        // The fixture sits in the build's own (writable) output: TorchScript must be allowed from there.
        "--image-model", image.toString(), "--audio-model", audio.toString(), "--torchscript-allow-writable");
    try {
      assertThat(demo.awaitExit(6, TimeUnit.MINUTES)).as("the demo ends by itself after --sessions").isTrue();
      assertThat(demo.process.exitValue()).as(demo.text()).isZero();
    } finally {
      demo.process.destroyForcibly();
    }
    assertThat(demo.lines().get(3)).matches(MODEL)
        .contains("image image-onnx/model.onnx, audio audio-torchscript/model.pt")
        .doesNotContain("baseline)");
    Matcher summary = Pattern.compile("Summary: (\\d+) session windows generated, (\\d+) fused, (\\d+) missing")
        .matcher(demo.text());
    assertThat(summary.find()).as("the demo prints a summary:%n%s", demo.text()).isTrue();
    assertThat(List.of(summary.group(1), summary.group(2), summary.group(3))).containsExactly("6", "6", "0");

    // The fusion model the demo trained, kept apart from the built-in encoders' models.
    List<Path> modelDirs;
    try (var entries = java.nio.file.Files.list(dir)) {
      modelDirs = entries.filter(p -> p.getFileName().toString().startsWith("models")).toList();
    }
    assertThat(modelDirs).hasSize(1);
    assertThat(modelDirs.get(0).getFileName().toString()).isNotEqualTo("models");
    Path version = ModelVersions.newest(modelDirs.get(0)).orElseThrow();
    ModelDescription trained = ModelDescription.read(version);
    assertThat(trained.encoderIds()).containsEntry("image", "image-onnx/model.onnx")
        .containsEntry("audio", "audio-torchscript/model.pt");
    assertThat(trained.inputDims()).containsEntry("image", 288).containsEntry("audio", 64).containsEntry("text", 384);

    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).dataDir(dir.resolve("kafka")).build();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).start()) {
      List<FusedPrediction> predictions = readAllPredictions(kafka.bootstrapServers(), registry.url());
      assertThat(predictions).hasSize(6);
      assertThat(predictions).allSatisfy(p -> {
        assertThat(p.getModelVersion()).isEqualTo(trained.version());
        assertThat(p.getLabel()).isIn(trained.labels());
      });
      // The generator drops modalities at random, but not from every window.
      assertThat(predictions).anySatisfy(p -> assertThat(p.getModalitiesPresent().toString()).contains("IMAGE", "AUDIO"));
    }

    // A fusion model trained on other encoders: the built-in ones (192 and 132 dims) must refuse it.
    copyTree(modelDirs.get(0), dir.resolve("models"));
    Demo refused = Demo.start(dir, "--sessions", "1");
    try {
      assertThat(refused.awaitExit(3, TimeUnit.MINUTES)).isTrue();
      assertThat(refused.process.exitValue()).as(refused.text()).isNotZero();
    } finally {
      refused.process.destroyForcibly();
    }
    assertThat(refused.text()).contains("does not fit the running encoders")
        .contains("image: the model takes 288 dims from image-onnx/model.onnx, the running encoder "
            + "builtin-image-colour-hog@1 gives 192")
        .contains("audio: the model takes 64 dims from audio-torchscript/model.pt, the running encoder "
            + "builtin-audio-logmel-stats@1 gives 132");
  }

  private static void copyTree(Path from, Path to) throws java.io.IOException {
    try (var paths = java.nio.file.Files.walk(from)) {
      for (Path p : paths.toList()) {
        java.nio.file.Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }

  /** The packaged demo in a child JVM, its merged output collected line by line. */
  private record Demo(Process process, List<String> output, Thread reader) {
    static Demo start(Path dir, String... args) throws Exception {
      Path jar = Path.of("target", "fusionstream.jar").toAbsolutePath();
      assertThat(jar).as("the packaged jar (mvn package runs before the integration tests)").exists();
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g", "-Dai.djl.offline=true",
          "-jar", jar.toString(), "demo", "--kafka-port", "0", "--registry-port", "0", "--http-port", "0",
          "--data-dir", dir.toString()));
      command.addAll(List.of(args));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      List<String> output = Collections.synchronizedList(new ArrayList<>());
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          // The status line redraws itself with carriage returns: each redraw is a line here.
          r.lines().flatMap(l -> java.util.Arrays.stream(l.split("\r"))).filter(l -> !l.isBlank()).forEach(l -> {
            output.add(l.strip());
            System.out.println("demo| " + l.strip());
          });
        } catch (java.io.IOException | java.io.UncheckedIOException ended) {
          // the process is gone
        }
      }, "demo-output");
      reader.setDaemon(true);
      reader.start();
      return new Demo(p, output, reader);
    }

    /** Waits for the process to end and for its last output to be read (the pipe outlives it). */
    boolean awaitExit(long timeout, TimeUnit unit) throws InterruptedException {
      if (!process.waitFor(timeout, unit)) {
        return false;
      }
      reader.join(unit.toMillis(timeout));
      return !reader.isAlive();
    }

    List<String> lines() {
      synchronized (output) {
        return List.copyOf(output);
      }
    }

    String text() {
      return String.join("\n", lines());
    }
  }

  private static int port(Pattern line, String actual) {
    Matcher m = line.matcher(actual);
    assertThat(m.matches()).as("'%s' matches %s", actual, line).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static Map<String, Integer> readPredictions(String bootstrap, String registryUrl) {
    Map<String, Integer> perWindow = new HashMap<>();
    readPredictions(bootstrap, registryUrl,
        p -> perWindow.merge(p.getSessionId() + "@" + p.getWindowStart(), 1, Integer::sum));
    return perWindow;
  }

  private static void readPredictions(String bootstrap, String registryUrl,
      java.util.function.Consumer<FusedPrediction> each) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "demo-it-check");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    AvroDeserializer<FusedPrediction> avro = new AvroDeserializer<>(
        new RestSchemaRegistryClient(Map.of("schema.registry.url", registryUrl)), FusedPrediction.class);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor("fused-predictions").stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      // Reads exactly up to the end offsets taken above; the class @Timeout bounds it.
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          each.accept(avro.deserialize(r.topic(), r.value()));
        }
      }
    }
  }

  private static List<FusedPrediction> readAllPredictions(String bootstrap, String registryUrl) {
    List<FusedPrediction> all = new ArrayList<>();
    readPredictions(bootstrap, registryUrl, all::add);
    return all;
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
