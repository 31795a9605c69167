package io.fusionstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fusionstream.schema.Modality;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @Test
  void laterLayersWinOverEarlierOnes(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("app.properties");
    Files.writeString(file, """
        bootstrap.servers=file:9092
        fusion.window.size.ms=4000
        fusion.max.batch.size=8
        application.id=from-file
        """);
    Map<String, String> env = Map.of(
        "KAFKA_BOOTSTRAP_SERVERS", "env:9092",
        "FUSION_WINDOW_SIZE_MS", "6000",
        "FUSION_APPLICATION_ID", "from-env",
        "SCHEMA_REGISTRY_URL", "http://registry:8081",
        "HOME", "/root");
    Map<String, String> flags = Map.of("fusion.window.size.ms", "7000");

    Map<String, String> merged = ConfigLoader.load(file, env, flags);
    FusionConfig config = new FusionConfig(merged);

    assertThat(merged).containsEntry("bootstrap.servers", "env:9092")
        .containsEntry("application.id", "from-env")
        .containsEntry("schema.registry.url", "http://registry:8081")
        .doesNotContainKey("home");
    assertThat(config.windowSize()).isEqualTo(Duration.ofSeconds(7));
    assertThat(config.maxBatchSize()).isEqualTo(8);
    assertThat(config.windowAdvance()).isEqualTo(config.windowSize());
  }

  @Test
  void topicNamesTakeThePrefix() {
    FusionConfig config = new FusionConfig(Map.of("fusion.topic.prefix", "prod."));
    assertThat(config.textTopic()).isEqualTo("prod.text-events");
    assertThat(config.dlqTopic()).isEqualTo("prod.fusion-dlq");
    assertThat(config.predictionsTopic()).isEqualTo("prod.fused-predictions");
  }

  @Test
  void unknownKeysAreReportedWithTheNearestValidKey() {
    var problems = ConfigLoader.unknownKeys(Map.of(
        "fusion.windw.size.ms", "1",
        "bootstrap.server", "x",
        "security.protocol", "SASL_SSL",
        "sasl.jaas.config", "x",
        "producer.linger.ms", "5",
        "schema.registry.ssl.truststore.location", "/x"));
    assertThat(problems).containsExactlyInAnyOrder(
        "Unknown setting 'fusion.windw.size.ms' (did you mean 'fusion.window.size.ms'?)",
        "Unknown setting 'bootstrap.server' (did you mean 'bootstrap.servers'?)");
  }

  @Test
  void badValuesNameTheSetting() {
    assertThatThrownBy(() -> new FusionConfig(Map.of("fusion.max.batch.size", "0")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("fusion.max.batch.size");
    assertThatThrownBy(() -> new FusionConfig(Map.of("fusion.window.size.ms", "1000", "fusion.window.advance.ms", "2000")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("fusion.window.advance.ms");
    assertThatThrownBy(() -> new FusionConfig(Map.of("fusion.required.modalities", "text,smell")).requiredModalities())
        .isInstanceOf(ConfigException.class).hasMessageContaining("smell");
    assertThat(new FusionConfig(Map.of("fusion.required.modalities", "text, Audio")).requiredModalities())
        .containsExactlyInAnyOrder(Modality.TEXT, Modality.AUDIO);
  }
}
