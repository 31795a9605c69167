package io.fusionstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.registry.EmbeddedSchemaRegistry;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The end-to-end scenario on the in-process broker and registry: runs everywhere. */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class InProcessScenarioIT {

  @Test
  void everySessionWindowGetsExactlyOnePrediction(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).start()) {
      SessionScenario.Result result = SessionScenario.run(kafka.bootstrapServers(), registry.url(), dir, 8);
      System.out.printf("in-process scenario: %d windows expected, %d with predictions, counts %s%n",
          result.expected().size(), result.predictionsPerWindow().size(), result.predictionsPerWindow().values());
      assertThat(result.predictionsPerWindow()).containsOnlyKeys(result.expected());
      assertThat(result.predictionsPerWindow().values()).allMatch(n -> n == 1);
    }
  }
}
