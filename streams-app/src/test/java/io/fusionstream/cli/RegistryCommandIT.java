package io.fusionstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.schema.TextEvent;
import io.fusionstream.serde.AvroSerdeConfig;
import io.fusionstream.serde.RestSchemaRegistryClient;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RegistryCommandIT {

  @Test
  void servesTheRegistryUntilStopped() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary()) {
      RegistryCommand command = new RegistryCommand();
      CommandLine cli = new CommandLine(command);
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute(
          "-b", kafka.bootstrapServers(), "--port", Integer.toString(port), "--topic", "_schemas_cli"));

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
    assertThat(usage).contains("./fusion registry -b kafka:9092").contains("--basic-auth-user-info").contains("8081");
  }
}
