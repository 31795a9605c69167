package io.fusionstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.registry.EmbeddedSchemaRegistry;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.serde.AvroDeserializer;
import io.fusionstream.serde.RestSchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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

/** {@code fusion demo --sessions 20} end to end, in this JVM, checked from outside the demo. */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class DemoCommandIT {

  @Test
  void everyWindowOfTheGeneratedSessionsIsFusedOnceAndTheAddressesAnswer(@TempDir Path dir) throws Exception {
    int kafkaPort = freePort();
    int registryPort = freePort();
    int httpPort = freePort();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    PrintStream tee = new PrintStream(new java.io.OutputStream() {
      @Override
      public void write(int b) {
        captured.write(b);
        original.write(b);
      }
    }, true, StandardCharsets.UTF_8);
    System.setOut(tee);
    CompletableFuture<Integer> demo;
    try {
      demo = CompletableFuture.supplyAsync(() -> FusionCli.commandLine().execute("demo", "--sessions", "20",
          "--rate", "10", "--kafka-port", "" + kafkaPort, "--registry-port", "" + registryPort,
          "--http-port", "" + httpPort, "--data-dir", dir.toString(), "--train-sessions", "150"));

      Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> out(captured).contains("Dashboard:"));
      List<String> lines = out(captured).lines().toList();
      assertThat(lines.subList(0, 3)).containsExactly(
          "Kafka bootstrap: localhost:" + kafkaPort,
          "Schema registry: http://localhost:" + registryPort,
          "Dashboard: http://localhost:" + httpPort + "/");

      // The printed addresses answer while the demo runs: a Kafka client, a registry call, the page.
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", "localhost:" + kafkaPort))) {
        assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
      }
      HttpClient http = HttpClient.newHttpClient();
      assertThat(get(http, "http://localhost:" + registryPort + "/subjects").statusCode()).isEqualTo(200);
      Awaitility.await().atMost(Duration.ofMinutes(3)).ignoreExceptions()
          .until(() -> get(http, "http://localhost:" + httpPort + "/").statusCode() == 200);
      assertThat(get(http, "http://localhost:" + httpPort + "/").body()).contains("FusionStream");

      assertThat(demo.get(6, TimeUnit.MINUTES)).isZero();
    } finally {
      System.setOut(original);
    }
    Matcher summary = Pattern.compile("Summary: (\\d+) session windows generated, (\\d+) fused, (\\d+) missing")
        .matcher(out(captured));
    assertThat(summary.find()).as("the demo prints a summary").isTrue();
    assertThat(summary.group(1)).isEqualTo("20");
    assertThat(summary.group(2)).isEqualTo("20");
    assertThat(summary.group(3)).isEqualTo("0");

    // Independently of the demo's own bookkeeping: restart the kept broker and registry from the
    // data dir and read the predictions topic as a consumer would.
    try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(freePort()).dataDir(dir.resolve("kafka")).build();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).start()) {
      Map<String, Integer> perWindow = readPredictions(kafka.bootstrapServers(), registry.url());
      assertThat(perWindow).hasSize(20);
      assertThat(perWindow.values()).allMatch(n -> n == 1);
    }
  }

  private static Map<String, Integer> readPredictions(String bootstrap, String registryUrl) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "demo-it-check");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    AvroDeserializer<FusedPrediction> avro = new AvroDeserializer<>(
        new RestSchemaRegistryClient(Map.of("schema.registry.url", registryUrl)), FusedPrediction.class);
    Map<String, Integer> perWindow = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor("fused-predictions").stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          FusedPrediction p = avro.deserialize(r.topic(), r.value());
          perWindow.merge(p.getSessionId() + "@" + p.getWindowStart(), 1, Integer::sum);
        }
      }
    }
    return perWindow;
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String out(ByteArrayOutputStream captured) {
    synchronized (captured) {
      return captured.toString(StandardCharsets.UTF_8);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
