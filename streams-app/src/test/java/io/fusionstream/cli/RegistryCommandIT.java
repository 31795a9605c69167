package io.fusionstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.schema.TextEvent;
import io.fusionstream.serde.AvroSerdeConfig;
import io.fusionstream.serde.RestSchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RegistryCommandIT {
  private static final Pattern ADDRESS = Pattern.compile("Schema Registry at http://[^:]+:(\\d+)");

  @Test
  void servesTheRegistryUntilStopped() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream original = System.out;
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
      RegistryCommand command = new RegistryCommand();
      CommandLine cli = new CommandLine(command);
      // Port 0 and the printed address, rather than a port that was free a moment ago.
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      CompletableFuture<Integer> exit;
      try {
        exit = CompletableFuture.supplyAsync(() -> cli.execute(
            "-b", kafka.bootstrapServers(), "--port", "0", "--topic", "_schemas_cli"));
        Awaitility.await().atMost(Duration.ofSeconds(60))
            .until(() -> ADDRESS.matcher(printed.toString(StandardCharsets.UTF_8)).find() || exit.isDone());
      } finally {
        System.setOut(original);
      }
      Matcher address = ADDRESS.matcher(printed.toString(StandardCharsets.UTF_8));
      assertThat(address.find()).as("printed: %s", printed).isTrue();
      int port = Integer.parseInt(address.group(1));

      RestSchemaRegistryClient client = new RestSchemaRegistryClient(Map.of(
          AvroSerdeConfig.SCHEMA_REGISTRY_URL, "http://localhost:" + port,
          AvroSerdeConfig.MAX_RETRIES, 8, AvroSerdeConfig.RETRY_BACKOFF_MS, 250));
      // the retries with backoff ride out the start-up
      int id = client.register("text-events-value", TextEvent.getClassSchema());
      assertThat(id).isEqualTo(1);
      assertThat(kafka.topicNames()).contains("_schemas_cli");
      assertThat(exit).isNotDone();

      command.stop();
      assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
    }
  }

  @Test
  void helpShowsAnExample() {
    String usage = new CommandLine(new RegistryCommand()).getUsageMessage();
    assertThat(usage).contains("./fusion registry -b kafka:9092").contains("--basic-auth-user-info-file").contains("8081");
  }
}
