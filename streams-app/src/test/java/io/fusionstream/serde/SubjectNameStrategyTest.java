package io.fusionstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fusionstream.registry.InMemorySchemaRegistryClient;
import io.fusionstream.schema.TextEvent;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Confluent's subject name strategies, by their class names and short names, as the serializer applies them. */
class SubjectNameStrategyTest {
  private static final String TEXT = "io.fusionstream.schema.TextEvent";

  @ParameterizedTest
  @CsvSource({
      "io.confluent.kafka.serializers.subject.TopicNameStrategy, text-events-value",
      "TopicNameStrategy, text-events-value",
      "topic, text-events-value",
      "io.confluent.kafka.serializers.subject.RecordNameStrategy, " + TEXT,
      "record, " + TEXT,
      "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy, text-events-" + TEXT,
      "topic-record, text-events-" + TEXT})
  void theSerializerRegistersUnderTheSubjectTheStrategyNames(String strategy, String subject) {
    InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    AvroSerializer<TextEvent> serializer = new AvroSerializer<>(registry);
    serializer.configure(Map.of(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, strategy), false);

    serializer.serialize("text-events", text());

    assertThat(registry.getSubjects()).containsExactly(subject);
  }

  @ParameterizedTest
  @CsvSource({"io.confluent.kafka.serializers.subject.RecordNameStrategy, " + TEXT,
      "io.confluent.kafka.serializers.subject.TopicNameStrategy, text-events-key"})
  void keysFollowTheKeyStrategy(String strategy, String subject) {
    InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    AvroSerializer<TextEvent> serializer = new AvroSerializer<>(registry);
    serializer.configure(Map.of(AvroSerdeConfig.KEY_SUBJECT_NAME_STRATEGY, strategy,
        AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, "topic-record"), true);

    serializer.serialize("text-events", text());

    assertThat(registry.getSubjects()).containsExactly(subject);
  }

  @ParameterizedTest
  @CsvSource({"io.confluent.kafka.serializers.subject.NoSuchStrategy", "com.example.MyStrategy", "topics"})
  void anUnknownStrategyIsAConfigErrorNamingTheKey(String strategy) {
    assertThatThrownBy(() -> new AvroSerdeConfig(Map.of(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, strategy)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY)
        .hasMessageContaining("RecordNameStrategy");
  }

  @org.junit.jupiter.api.Test
  void theRecordStrategiesRefuseAPrimitiveAsConfluentDoes() {
    AvroSerializer<Object> serializer = new AvroSerializer<>(new InMemorySchemaRegistryClient());
    serializer.configure(Map.of(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, "record"), false);
    org.apache.avro.generic.GenericData.EnumSymbol primitive = new org.apache.avro.generic.GenericData.EnumSymbol(
        Schema.createEnum("Colour", null, "x", java.util.List.of("RED")), "RED");

    assertThatThrownBy(() -> serializer.serialize("t", primitive)).isInstanceOf(SerializationException.class)
        .hasMessageContaining("record schema");
  }

  private static TextEvent text() {
    return TextEvent.newBuilder().setSessionId("s").setEventId("e").setTimestamp(Instant.ofEpochMilli(1)).setText("hi")
        .build();
  }
}
