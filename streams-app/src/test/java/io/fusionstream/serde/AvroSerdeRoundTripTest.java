package io.fusionstream.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.registry.InMemorySchemaRegistryClient;
import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.TextEvent;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AvroSerdeRoundTripTest {
  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

  static Stream<Arguments> records() {
    return Stream.of(
        Arguments.of("text-events", TextEvent.class, SampleRecords.text()),
        Arguments.of("image-frames", ImageFrameEvent.class, SampleRecords.image()),
        Arguments.of("audio-chunks", AudioChunkEvent.class, SampleRecords.audio()),
        Arguments.of("fused-predictions", FusedPrediction.class, SampleRecords.prediction()));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("records")
  <T extends SpecificRecord> void generatedClassesRoundTripInTheConfluentWireFormat(String topic, Class<T> type, T record) {
    var serde = AvroSerdes.specific(registry, type);
    byte[] bytes = serde.serializer().serialize(topic, record);

    int id = registry.getId(topic + "-value", record.getSchema());
    assertThat(bytes[0]).as("magic byte").isEqualTo((byte) 0);
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).as("schema id, big-endian").isEqualTo(id);
    assertThat(Arrays.copyOfRange(bytes, 1, 5)).containsExactly(0, 0, 0, (byte) id);
    assertThat(serde.deserializer().deserialize(topic, bytes)).isEqualTo(record);
  }

  @Test
  void eachSchemaGetsItsOwnIdUnderItsTopicSubject() {
    records().forEach(a -> AvroSerdes.generic(registry).serializer()
        .serialize((String) a.get()[0], (GenericRecord) a.get()[2]));
    assertThat(registry.getSubjects()).containsExactlyInAnyOrder(
        "text-events-value", "image-frames-value", "audio-chunks-value", "fused-predictions-value");
    assertThat(registry.getSchemaById(1)).isEqualTo(TextEvent.getClassSchema());
    assertThat(registry.getSchemaById(4)).isEqualTo(FusedPrediction.getClassSchema());
  }

  @Test
  void genericRecordsRoundTripAndReadAsGeneratedClassesToo() {
    Schema schema = TextEvent.getClassSchema();
    GenericRecord generic = new GenericData.Record(schema);
    generic.put("session_id", "s-9");
    generic.put("event_id", "e-9");
    generic.put("timestamp", 42L);
    generic.put("text", "hello");
    generic.put("language", null);
    generic.put("source", "asr");

    var serde = AvroSerdes.generic(registry);
    byte[] bytes = serde.serializer().serialize("text-events", generic);
    GenericRecord back = serde.deserializer().deserialize("text-events", bytes);
    assertThat(back.getSchema()).isEqualTo(schema);
    assertThat(back.get("text").toString()).isEqualTo("hello");
    assertThat(back.get("timestamp")).isEqualTo(42L);
    assertThat(back.get("language")).isNull();

    TextEvent specific = AvroSerdes.specific(registry, TextEvent.class).deserializer().deserialize("text-events", bytes);
    assertThat(specific.getSessionId()).isEqualTo("s-9");
    assertThat(specific.getTimestamp().toEpochMilli()).isEqualTo(42L);
    assertThat(specific.getSource()).isEqualTo("asr");
  }

  @Test
  void specificAvroReaderSettingTurnsGenericDeserializerIntoGeneratedClasses() {
    byte[] bytes = AvroSerdes.specific(registry, AudioChunkEvent.class).serializer()
        .serialize("audio-chunks", SampleRecords.audio());
    AvroDeserializer<Object> deserializer = new AvroDeserializer<>(registry);
    deserializer.configure(Map.of(AvroSerdeConfig.SPECIFIC_AVRO_READER, true), false);
    assertThat(deserializer.deserialize("audio-chunks", bytes)).isEqualTo(SampleRecords.audio());
  }

  @Test
  void nullStaysNullBothWays() {
    var serde = AvroSerdes.specific(registry, TextEvent.class);
    assertThat(serde.serializer().serialize("t", null)).isNull();
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void withoutAutoRegisterAnUnregisteredSchemaIsAClearError() {
    AvroSerializer<TextEvent> serializer = new AvroSerializer<>(registry);
    serializer.configure(Map.of(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false), false);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> serializer.serialize("text-events", SampleRecords.text()))
        .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class)
        .hasMessageContaining("text-events-value")
        .hasMessageContaining("not found");
  }
}
