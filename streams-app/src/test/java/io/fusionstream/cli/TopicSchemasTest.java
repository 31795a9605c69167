package io.fusionstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.registry.InMemorySchemaRegistryClient;
import io.fusionstream.schema.TextEvent;
import io.fusionstream.serde.AvroSerdeConfig;
import io.fusionstream.serde.AvroSerdes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@code topics} names, shows and registers the subjects the configured strategy names. */
class TopicSchemasTest {

  private static Map<String, String> settings(String strategy) {
    Map<String, String> s = new HashMap<>();
    s.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "http://localhost:8081");
    if (strategy != null) {
      s.put(AvroSerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, strategy);
    }
    return s;
  }

  private static TopicSchemas schemas(Map<String, String> settings) {
    return TopicSchemas.of(new FusionConfig(settings), settings);
  }

  @ParameterizedTest
  @CsvSource({
      ",                                                            text-events-value,                         fused-predictions-value",
      "io.confluent.kafka.serializers.subject.RecordNameStrategy,   io.fusionstream.schema.TextEvent,          io.fusionstream.schema.FusedPrediction",
      "TopicRecordNameStrategy,                                     text-events-io.fusionstream.schema.TextEvent, fused-predictions-io.fusionstream.schema.FusedPrediction"})
  void subjectsFollowTheValueStrategy(String strategy, String textSubject, String predictionSubject) {
    var entries = schemas(settings(strategy)).entries();
    assertThat(entries).extracting(TopicSchemas.Entry::topic)
        .containsExactly("text-events", "image-frames", "audio-chunks", "fused-predictions");
    assertThat(entries.get(0).subject()).isEqualTo(textSubject);
    assertThat(entries.get(3).subject()).isEqualTo(predictionSubject);
  }

  @Test
  void theSubjectRegisteredIsTheOneTheSerializerWritesUnder() {
    Map<String, String> s = settings("RecordNameStrategy");
    s.put(FusionConfig.TOPIC_PREFIX, "team-a.");
    InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    try (Serde<TextEvent> serde = AvroSerdes.configured(AvroSerdes.specific(registry, TextEvent.class), s, false)) {
      serde.serializer().serialize("team-a.text-events", TextEvent.newBuilder().setSessionId("s").setEventId("e")
          .setTimestamp(Instant.ofEpochMilli(1)).setText("hi").build());
    }
    TopicSchemas schemas = schemas(s);
    assertThat(schemas.entries().get(0).topic()).isEqualTo("team-a.text-events");
    assertThat(registry.getSubjects()).containsExactly(schemas.entries().get(0).subject());
  }

  @Test
  void describeShowsWhatIsRegisteredAndRegisterFillsTheRest() {
    Map<String, String> s = settings("topic-record");
    TopicSchemas schemas = schemas(s);
    InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    String before = describe(schemas, registry);
    assertThat(before).contains("value.subject.name.strategy=io.confluent.kafka.serializers.subject.TopicRecordNameStrategy")
        .containsPattern("text-events\\s+text-events-io.fusionstream.schema.TextEvent\\s+-\\s+not registered");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    schemas.register(registry, new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("Registered fused-predictions-io.fusionstream.schema.FusedPrediction for fused-predictions: id");
    assertThat(registry.getSubjects()).containsExactlyInAnyOrderElementsOf(
        schemas.entries().stream().map(TopicSchemas.Entry::subject).toList());

    String after = describe(schemas, registry);
    assertThat(after).containsPattern("text-events\\s+text-events-io.fusionstream.schema.TextEvent\\s+v1 \\(id \\d+\\)\\s+registered, id \\d+")
        .doesNotContain("not registered");
  }

  private static String describe(TopicSchemas schemas, InMemorySchemaRegistryClient registry) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    schemas.describe(registry, "http://localhost:8081", new PrintStream(out, true, StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }
}
