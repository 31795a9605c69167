package io.fusionstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fusionstream.decode.Limits;
import io.fusionstream.registry.InMemorySchemaRegistryClient;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.TextEvent;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.SystemLimitException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A value is bounded before it allocates: by its own size against the largest accepted record, and
 * by each length prefix inside it against Avro's limits, which the deserializer lowers to that size
 * even after Avro was initialised.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AvroDeserializerLimitsTest {
  private static final String TOPIC = "text-events";
  private static final int MAX_BYTES = 1 << 20;
  private static final long TWO_GB_CLAIM = 2_000_000_000L;
  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

  @Test
  void aTenByteRecordWhoseStringClaimsTwoGigabytesIsRefusedBeforeAllocating() throws Exception {
    // Initialise Avro's limits first, as any earlier Avro use in the JVM would: the deserializer
    // must still bring its own limit into force.
    SystemLimitException.checkMaxStringLength(1);
    AvroDeserializer<TextEvent> deserializer = new AvroDeserializer<>(registry, TextEvent.class, MAX_BYTES);

    byte[] bytes = withHeader(idOf(TextEvent.class), varLong(TWO_GB_CLAIM)); // session_id's length prefix
    assertThat(bytes).hasSize(10);

    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, bytes))
        .isInstanceOf(SerializationException.class)
        .isNotInstanceOf(OversizedRecordException.class)
        .hasMessageContaining("String length " + TWO_GB_CLAIM + " exceeds maximum allowed")
        .hasMessageContaining("org.apache.avro.limits")
        .hasMessageContaining(TOPIC)
        .hasCauseInstanceOf(SystemLimitException.class);
    assertThat(AvroLimits.current()).isBetween(MAX_BYTES, Integer.MAX_VALUE - 9);
    assertThat(AvroLimits.inForce(AvroLimits.current())).isTrue();
  }

  @Test
  void aNewLimitTakesEffectAfterAvroReadItsProperties() {
    SystemLimitException.checkMaxStringLength(1); // Avro's limits are initialised from here on
    int next = Math.max(AvroLimits.current(), MAX_BYTES) + 1;
    AvroLimits.require(next);
    assertThat(AvroLimits.current()).isEqualTo(next);
    assertThat(AvroLimits.inForce(next)).isTrue();
    assertThatThrownBy(() -> SystemLimitException.checkMaxBytesLength(next + 1L))
        .isInstanceOf(SystemLimitException.class);
    // A smaller request never lowers what another deserializer in this JVM relies on.
    AvroLimits.require(10);
    assertThat(AvroLimits.current()).isEqualTo(next);
  }

  @Test
  void aBytesFieldClaimingTwoGigabytesIsRefusedToo() throws Exception {
    AvroDeserializer<ImageFrameEvent> deserializer =
        new AvroDeserializer<>(registry, ImageFrameEvent.class, MAX_BYTES);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(body, null);
    enc.writeString("s");
    enc.writeString("e");
    enc.writeLong(0); // timestamp
    enc.writeEnum(0); // JPEG
    enc.writeInt(0);
    enc.writeInt(0);
    enc.writeLong(TWO_GB_CLAIM); // data's length prefix, and no data
    enc.flush();
    byte[] bytes = withHeader(idOf(ImageFrameEvent.class), body.toByteArray());

    assertThatThrownBy(() -> deserializer.deserialize("image-frames", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Bytes length " + TWO_GB_CLAIM + " exceeds maximum allowed")
        .hasCauseInstanceOf(SystemLimitException.class);
  }

  @Test
  void aValueOverTheLimitIsRefusedBeforeItIsRead() {
    AvroDeserializer<TextEvent> deserializer = new AvroDeserializer<>(registry, TextEvent.class, 1_000);
    byte[] good = serialize(text("x".repeat(900)));
    assertThat(good.length).isLessThanOrEqualTo(1_000);
    assertThat(deserializer.deserialize(TOPIC, good).getText().toString()).hasSize(900);

    byte[] big = serialize(text("x".repeat(1_000)));
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, big))
        .isInstanceOfSatisfying(OversizedRecordException.class, e -> {
          assertThat(e.size()).isEqualTo(big.length);
          assertThat(e.limit()).isEqualTo(1_000);
        })
        .hasMessageContaining(big.length + " bytes on topic " + TOPIC)
        .hasMessageContaining(AvroSerdeConfig.MAX_RECORD_BYTES);
    // Refused on size alone: not even the magic byte is looked at.
    byte[] garbage = new byte[1_001];
    Arrays.fill(garbage, (byte) 7);
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, garbage)).isInstanceOf(OversizedRecordException.class);
  }

  @Test
  void theLimitCanBeConfiguredByProperty() {
    AvroDeserializer<TextEvent> deserializer = new AvroDeserializer<>(registry, TextEvent.class);
    byte[] big = serialize(text("x".repeat(300)));
    assertThat(deserializer.deserialize(TOPIC, big).getText().toString()).hasSize(300);

    deserializer.configure(Map.of(AvroSerdeConfig.MAX_RECORD_BYTES, 200), false);
    assertThat(deserializer.maxBytes()).isEqualTo(200);
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, big)).isInstanceOf(OversizedRecordException.class);
    assertThat(deserializer.deserialize(TOPIC, serialize(text("short"))).getText().toString()).isEqualTo("short");
  }

  @Test
  void theLargestEventCoversEveryPayloadLimitPlusHeadroom() {
    Limits defaults = Limits.defaults();
    assertThat(defaults.maxEventBytes(512))
        .isEqualTo(8 * 1024 * 1024 + 3 * 512 + Limits.FIELD_HEADROOM_BYTES);
    assertThat(defaults.maxEventBytes()).isEqualTo(8 * 1024 * 1024 + 3 * Limits.MAX_SESSION_ID_CHARS
        + Limits.FIELD_HEADROOM_BYTES);
    Limits textHeavy = Limits.of(5_000_000, 1_000, 1_000, 1_000, 1);
    assertThat(textHeavy.maxEventBytes(10)).isEqualTo(15_000_000 + 30 + Limits.FIELD_HEADROOM_BYTES);
    Limits huge = Limits.of(Integer.MAX_VALUE, Integer.MAX_VALUE, 1, 1, 1);
    assertThat(huge.maxEventBytes()).isEqualTo(Integer.MAX_VALUE - 8);

    // The largest text the limits accept, with the longest session id, still fits.
    AvroDeserializer<TextEvent> deserializer =
        new AvroDeserializer<>(registry, TextEvent.class, Limits.defaults().withMaxTextChars(1_000).maxEventBytes(512));
    TextEvent longest = TextEvent.newBuilder(text("語".repeat(1_000))).setSessionId("字".repeat(512)).build();
    assertThat(deserializer.deserialize(TOPIC, serialize(longest)).getText().toString()).hasSize(1_000);
  }

  private TextEvent text(String text) {
    return TextEvent.newBuilder(SampleRecords.text()).setText(text).setLanguage(null).setSource(null).build();
  }

  private byte[] serialize(TextEvent event) {
    return AvroSerdes.specific(registry, TextEvent.class).serializer().serialize(TOPIC, event);
  }

  private <T extends org.apache.avro.specific.SpecificRecord> int idOf(Class<T> type) {
    return registry.register("limits-" + type.getSimpleName(),
        org.apache.avro.specific.SpecificData.get().getSchema(type));
  }

  private static byte[] withHeader(int schemaId, byte[] body) {
    return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(schemaId).put(body).array();
  }

  private static byte[] varLong(long value) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
    enc.writeLong(value);
    enc.flush();
    return out.toByteArray();
  }
}
