package io.fusionstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.dev.EmbeddedKafka;
import io.fusionstream.registry.EmbeddedSchemaRegistry;
import io.fusionstream.serde.AvroSerdeConfig;
import io.fusionstream.serde.RestSchemaRegistryClient;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ./fusion topics} against a real broker and registry, with a non-default subject strategy. */
@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TopicsSchemasIT {

  @Test
  void createRegistersUnderTheConfiguredStrategyAndDescribeShowsIt() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder(kafka.bootstrapServers()).port(0).start()) {
      String[] common = {"--bootstrap-server", kafka.bootstrapServers(), "--schema-registry-url", registry.url(),
          "--property", "value.subject.name.strategy=io.confluent.kafka.serializers.subject.RecordNameStrategy"};

      CliRun.Result created = CliRun.run(CliRun.concat(new String[] {"topics", "create", "--partitions", "1", "--register-schemas"}, common));
      assertThat(created.code()).isZero();
      assertThat(created.out()).contains("Registered io.fusionstream.schema.TextEvent for text-events: id",
          "Registered io.fusionstream.schema.FusedPrediction for fused-predictions: id");
      try (RestSchemaRegistryClient client =
          new RestSchemaRegistryClient(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url()))) {
        assertThat(client.getSubjects()).containsExactlyInAnyOrder("io.fusionstream.schema.TextEvent",
            "io.fusionstream.schema.ImageFrameEvent", "io.fusionstream.schema.AudioChunkEvent",
            "io.fusionstream.schema.FusedPrediction");
      }

      CliRun.Result described = CliRun.run(CliRun.concat(new String[] {"topics", "describe"}, common));
      assertThat(described.code()).isZero();
      assertThat(described.out())
          .contains("value.subject.name.strategy=io.confluent.kafka.serializers.subject.RecordNameStrategy")
          .containsPattern("audio-chunks\\s+io.fusionstream.schema.AudioChunkEvent\\s+v1 \\(id \\d+\\)\\s+registered")
          .doesNotContain("not registered");
    }
  }



}
