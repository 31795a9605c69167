package io.fusionstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fusionstream.registry.InMemorySchemaRegistryClient;
import io.fusionstream.schema.TextEvent;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Whatever lands on a topic, the deserializer answers with a SerializationException that says what is wrong. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AvroDeserializerBadBytesTest {
  private static final String TOPIC = "text-events";
  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
  private final AvroDeserializer<TextEvent> specific = new AvroDeserializer<>(registry, TextEvent.class);
  private final AvroDeserializer<GenericRecord> generic = new AvroDeserializer<>(registry);

  private byte[] good() {
    return AvroSerdes.specific(registry, TextEvent.class).serializer().serialize(TOPIC, SampleRecords.text());
  }

  @Test
  void wrongMagicByte() {
    byte[] bytes = good();
    bytes[0] = 1;
    assertBoth(bytes, "Unknown magic byte");
    assertBoth("{\"json\": true}".getBytes(), "Unknown magic byte");
  }

  @Test
  void unknownSchemaId() {
    byte[] bytes = good();
    ByteBuffer.wrap(bytes).putInt(1, 999);
    assertBoth(bytes, "schema for id 999");
  }

  @Test
  void truncatedBody() {
    byte[] full = good();
    for (int cut : new int[] {full.length - 1, full.length / 2, 6}) {
      assertBoth(Arrays.copyOf(full, cut), "truncated or corrupt");
    }
  }

  @Test
  void emptyValue() {
    assertBoth(new byte[0], "Empty value");
  }

  @Test
  void headerOnlyOrShorter() {
    byte[] full = good();
    assertBoth(Arrays.copyOf(full, 5), "truncated or corrupt");
    assertBoth(Arrays.copyOf(full, 3), "Truncated record");
    assertBoth(new byte[] {0}, "Truncated record");
  }

  @Test
  void trailingGarbage() {
    byte[] full = good();
    assertBoth(Arrays.copyOf(full, full.length + 3), "Trailing bytes");
  }

  @Test
  void recordOfAnotherSchemaThatCannotResolveToTheReaderClass() {
    Schema other = new Schema.Parser().parse(
        "{\"type\": \"record\", \"name\": \"TextEvent\", \"namespace\": \"io.fusionstream.schema\", "
            + "\"fields\": [{\"name\": \"text\", \"type\": \"int\"}]}");
    org.apache.avro.generic.GenericData.Record r = new org.apache.avro.generic.GenericData.Record(other);
    r.put("text", 7);
    byte[] bytes = AvroSerdes.generic(registry).serializer().serialize("other-topic", r);
    assertThatThrownBy(() -> specific.deserialize("other-topic", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("schema id");
    assertThat(generic.deserialize("other-topic", bytes).get("text")).isEqualTo(7);
  }

  private void assertBoth(byte[] bytes, String expected) {
    for (AvroDeserializer<?> d : new AvroDeserializer<?>[] {specific, generic}) {
      assertThatThrownBy(() -> d.deserialize(TOPIC, bytes))
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining(expected)
          .hasMessageContaining(TOPIC);
    }
  }
}
