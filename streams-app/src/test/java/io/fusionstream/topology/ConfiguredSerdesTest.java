package io.fusionstream.topology;

import static io.fusionstream.topology.TopologyFixture.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.serde.AvroSerdeConfig;
import io.fusionstream.serde.SchemaRegistryException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

/**
 * The serdes the topology creates follow the application's serde settings, as a Confluent serde
 * configured by Kafka would: Kafka Streams configures only default serdes, so without this the
 * pipeline would register schemas and use TopicNameStrategy whatever the user set.
 */
class ConfiguredSerdesTest {
  private static final String PREDICTIONS_SUBJECT = "fused-predictions-value";

  @Test
  void withoutAutoRegisterAnUnregisteredOutputSchemaFailsAndIsNotRegistered() {
    try (TopologyFixture f = new TopologyFixture(Map.of(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false))) {
      f.sendText("s1", T + 100, "hello there");

      assertThatThrownBy(f::closeIdleWindows).isInstanceOf(StreamsException.class)
          .hasRootCauseInstanceOf(SchemaRegistryException.class);
      assertThat(f.registry.getSubjects()).doesNotContain(PREDICTIONS_SUBJECT);
      assertThat(f.predictions.isEmpty()).isTrue();
    }
  }

  @Test
  void useLatestVersionWritesWithTheLatestRegisteredVersion() {
    try (TopologyFixture f = new TopologyFixture(Map.of(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false,
        AvroSerdeConfig.USE_LATEST_VERSION, true))) {
      f.registry.register(PREDICTIONS_SUBJECT, FusedPrediction.getClassSchema());
      Schema v2 = withField(FusedPrediction.getClassSchema(), "region", "eu-west");
      int v2Id = f.registry.register(PREDICTIONS_SUBJECT, v2);
      var raw = f.driver.createOutputTopic(f.config.predictionsTopic(), new ByteArrayDeserializer(),
          new ByteArrayDeserializer());

      f.sendText("s1", T + 100, "hello there");
      f.closeIdleWindows();

      List<byte[]> values = new ArrayList<>();
      raw.readValuesToList().forEach(values::add);
      assertThat(values).hasSize(1);
      assertThat(ByteBuffer.wrap(values.get(0), 1, 4).getInt()).isEqualTo(v2Id);
      assertThat(f.registry.getVersions(PREDICTIONS_SUBJECT)).hasSize(2);
    }
  }

  @Test
  void theRecordNameStrategyNamesTheSubjectsThePipelineRegisters() {
    try (TopologyFixture f = new TopologyFixture(Map.of(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY,
        "io.confluent.kafka.serializers.subject.RecordNameStrategy"))) {
      f.sendText("s1", T + 100, "hello there");
      f.closeIdleWindows();

      assertThat(f.readPredictions()).hasSize(1);
      assertThat(f.registry.getSubjects()).contains(FusedPrediction.getClassSchema().getFullName())
          .doesNotContain(PREDICTIONS_SUBJECT);
    }
  }

  /** The schema plus one optional string field with a default: a backward-compatible next version. */
  private static Schema withField(Schema schema, String name, String defaultValue) {
    List<Schema.Field> fields = new ArrayList<>();
    schema.getFields().forEach(field -> fields.add(new Schema.Field(field, field.schema())));
    fields.add(new Schema.Field(name, Schema.create(Schema.Type.STRING), null, defaultValue));
    return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }
}
