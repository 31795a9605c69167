package io.fusionstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fusionstream.registry.InMemorySchemaRegistryClient;
import io.fusionstream.schema.TextEvent;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * Records written with one version of a schema read with another, through the registry: the
 * evolution rules that let producers and consumers upgrade one at a time.
 */
class SchemaEvolutionTest {
  private static final String TOPIC = "text-events";
  private static final String SUBJECT = TOPIC + "-value";

  /** TextEvent before it had the optional {@code source} field. */
  static final Schema TEXT_V1 = new Schema.Parser().parse("""
      {"type": "record", "name": "TextEvent", "namespace": "io.fusionstream.schema", "fields": [
        {"name": "session_id", "type": "string"},
        {"name": "event_id", "type": "string"},
        {"name": "timestamp", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "text", "type": "string"},
        {"name": "language", "type": ["null", "string"], "default": null}
      ]}""");

  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

  private static GenericRecord v1Record() {
    GenericRecord r = new GenericData.Record(TEXT_V1);
    r.put("session_id", "s-1");
    r.put("event_id", "e-1");
    r.put("timestamp", 1000L);
    r.put("text", "old producer");
    r.put("language", "en");
    return r;
  }

  @Test
  void newConsumerReadsRecordsOfTheOlderVersionWithTheNewFieldsDefault() {
    byte[] old = AvroSerdes.generic(registry).serializer().serialize(TOPIC, v1Record());
    // the current schema adds `source` with a default: BACKWARD compatible, so it registers as v2
    byte[] current = AvroSerdes.specific(registry, TextEvent.class).serializer().serialize(TOPIC, SampleRecords.text());
    assertThat(registry.getVersions(SUBJECT)).containsExactly(1, 2);

    AvroDeserializer<TextEvent> newConsumer = new AvroDeserializer<>(registry, TextEvent.class);
    TextEvent fromOld = newConsumer.deserialize(TOPIC, old);
    assertThat(fromOld.getText()).isEqualTo("old producer");
    assertThat(fromOld.getLanguage()).isEqualTo("en");
    assertThat(fromOld.getSource()).as("field v1 did not have: its default").isNull();
    assertThat(newConsumer.deserialize(TOPIC, current)).isEqualTo(SampleRecords.text());
  }

  @Test
  void oldConsumerReadsRecordsOfTheNewerVersionIgnoringTheNewField() {
    registry.register(SUBJECT, TEXT_V1);
    byte[] current = AvroSerdes.specific(registry, TextEvent.class).serializer().serialize(TOPIC, SampleRecords.text());

    GenericRecord asOld = new AvroDeserializer<GenericRecord>(registry, TEXT_V1).deserialize(TOPIC, current);
    assertThat(asOld.getSchema()).isEqualTo(TEXT_V1);
    assertThat(asOld.get("text").toString()).isEqualTo(SampleRecords.text().getText());
    assertThat(asOld.hasField("source")).isFalse();
  }

  @Test
  void addingAFieldWithoutADefaultIsRefusedUnderBackward() {
    registry.register(SUBJECT, TextEvent.getClassSchema());
    Schema breaking = withExtraField(TextEvent.getClassSchema(), "{\"name\": \"priority\", \"type\": \"int\"}");

    assertThat(registry.testCompatibility(SUBJECT, breaking)).isFalse();
    assertThatThrownBy(() -> registry.register(SUBJECT, breaking))
        .isInstanceOf(IncompatibleSchemaException.class)
        .hasMessageContaining("incompatible")
        .hasMessageContaining("priority")
        .satisfies(e -> assertThat(((IncompatibleSchemaException) e).isIncompatible()).isTrue());
    assertThat(registry.getVersions(SUBJECT)).containsExactly(1);
  }

  @Test
  void theSameChangeIsAcceptedWhenTheSubjectsLevelIsNone() {
    registry.register(SUBJECT, TextEvent.getClassSchema());
    registry.setCompatibility(SUBJECT, CompatibilityLevel.NONE);
    Schema breaking = withExtraField(TextEvent.getClassSchema(), "{\"name\": \"priority\", \"type\": \"int\"}");
    assertThat(registry.register(SUBJECT, breaking)).isEqualTo(2);
    assertThat(registry.getCompatibility(null)).as("global level untouched").isEqualTo(CompatibilityLevel.BACKWARD);
  }

  @Test
  void transitiveLevelsCheckEveryEarlierVersionPlainOnesOnlyTheLatest() {
    Schema v1 = record("{\"name\": \"a\", \"type\": \"string\"}");
    Schema v2 = record("{\"name\": \"a\", \"type\": \"string\"}, {\"name\": \"b\", \"type\": \"int\", \"default\": 0}");
    // reads v2 data (which has b) but not v1 data (which lacks b, and v3 has no default for it)
    Schema v3 = record("{\"name\": \"a\", \"type\": \"string\"}, {\"name\": \"b\", \"type\": \"int\"}");
    for (String subject : new String[] {"plain", "transitive"}) {
      registry.register(subject, v1);
      registry.register(subject, v2);
    }
    registry.setCompatibility("transitive", CompatibilityLevel.BACKWARD_TRANSITIVE);

    assertThat(registry.testCompatibility("plain", v3)).isTrue();
    assertThat(registry.testCompatibility("transitive", v3)).isFalse();
    assertThat(registry.register("plain", v3)).isPositive();
    assertThatThrownBy(() -> registry.register("transitive", v3)).isInstanceOf(IncompatibleSchemaException.class)
        .hasMessageContaining("BACKWARD_TRANSITIVE");
  }

  private static Schema record(String fields) {
    return new Schema.Parser().parse("{\"type\": \"record\", \"name\": \"R\", \"fields\": [" + fields + "]}");
  }

  static Schema withExtraField(Schema schema, String fieldJson) {
    String json = schema.toString();
    return new Schema.Parser().parse(json.substring(0, json.lastIndexOf(']')) + "," + fieldJson + "]}");
  }
}
