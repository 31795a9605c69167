package io.fusionstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fusionstream.app.FusionApp;
import io.fusionstream.config.FusionConfig;
import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.dev.TopicSpecs;
import io.fusionstream.registry.EmbeddedSchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/produce_and_read.py, a Confluent client in another language (librdkafka and Confluent's
 * Python Schema Registry client), talks to the pipeline and the embedded registry: it writes a
 * session, FusionStream reads it, and it reads FusionStream's prediction back. Skipped, with the
 * reason, only where no python3 has confluent-kafka and Apache Avro (.ci/run installs Debian's
 * python3-confluent-kafka and python3-avro; fastavro is not needed).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class PythonClientIT {
  private static final Path SCRIPT = Path.of("..", "examples", "produce_and_read.py");

  /** The modules the example imports: Debian's python3-confluent-kafka and python3-avro. */
  static final String IMPORTS = "import confluent_kafka, confluent_kafka.schema_registry, avro.io, avro.schema";

  /**
   * The first python3 that has the modules, or why none does. Debian's packages install for
   * /usr/bin/python3, which a pyenv or venv python3 on PATH does not see, so both are tried.
   */
  static Optional<String> pythonWithModules(List<String> candidates, List<String> why) {
    for (String python : candidates) {
      try {
        Process p = new ProcessBuilder(python, "-c", IMPORTS).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          why.add(python + ": import timed out");
        } else if (p.exitValue() == 0) {
          return Optional.of(python);
        } else {
          String[] lines = out.split("\n");
          why.add(python + ": " + lines[lines.length - 1]); // e.g. ModuleNotFoundError: No module named 'avro'
        }
      } catch (java.io.IOException notThere) {
        why.add(python + ": not found");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        why.add(python + ": interrupted");
        break;
      }
    }
    return Optional.empty();
  }

  @Test
  void thePythonExampleSendsASessionAndReadsItsPrediction(@TempDir Path dir) throws Exception {
    List<String> why = new java.util.ArrayList<>();
    Optional<String> python = pythonWithModules(List.of("python3", "/usr/bin/python3"), why);
    assumeTrue(python.isPresent(), () -> "no python3 with confluent-kafka and avro (" + String.join("; ", why)
        + "); apt-get install python3-confluent-kafka python3-avro");
    assertThat(SCRIPT).exists();
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).start()) {
      Map<String, String> settings = new HashMap<>();
      settings.put("bootstrap.servers", kafka.bootstrapServers());
      settings.put("schema.registry.url", registry.url());
      settings.put("application.id", "python-client-it");
      settings.put("state.dir", dir.resolve("state").toString());
      settings.put("commit.interval.ms", "200");
      settings.put(FusionConfig.MODEL_DIR, dir.resolve("models").toString());
      settings.put(FusionConfig.HTTP_PORT, "0");
      settings.put(FusionConfig.WINDOW_SIZE_MS, "2000");
      settings.put(FusionConfig.WINDOW_GRACE_MS, "500");
      settings.put(FusionConfig.WINDOW_IDLE_TIMEOUT_MS, "500");
      try (var admin = kafka.admin()) {
        TopicSpecs.createMissing(admin, TopicSpecs.all(new FusionConfig(settings), 1, (short) 1, 3_600_000L));
      }
      TrainCommand.trainOnSynthetic(dir.resolve("dataset"), 60, 3, dir.resolve("models"), "--epochs", "3");

      try (FusionApp app = FusionApp.start(settings)) {
        Process p = new ProcessBuilder(python.get(), SCRIPT.toString(), "--bootstrap-server", kafka.bootstrapServers(),
            "--schema-registry", registry.url(), "--session", "py-it", "--timeout", "120")
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        System.out.print(out);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("session py-it:").contains("TEXT");
      }
    }
  }
}
