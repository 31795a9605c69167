package io.fusionstream.topology;

import static io.fusionstream.topology.TopologyFixture.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.ImageEncoding;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.TextEvent;
import io.fusionstream.serde.AvroSerdes;
import io.fusionstream.serde.OversizedRecordException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Values no limit could accept are refused by the source deserializer before they are decoded, and
 * dead-lettered through the deserialization handler like any unreadable record; the stream goes on.
 */
class OversizedInputDeadLetterTest {
  // Under exactly_once_v2, TopologyTestDriver 4.3.1 drops the deserialization handler's dead
  // letters (see DeadLetterTest).
  private static final Map<String, Object> AT_LEAST_ONCE = Map.of("processing.guarantee", "at_least_once");

  @Test
  void aValueLargerThanAnyAcceptedEventIsRecordTooLarge() {
    try (TopologyFixture f = new TopologyFixture(AT_LEAST_ONCE)) {
      int largest = f.config.limits().maxEventBytes(f.config.getInt(FusionConfig.LIMIT_SESSION_ID_CHARS));
      ImageFrameEvent huge = ImageFrameEvent.newBuilder().setSessionId("s").setEventId("e")
          .setTimestamp(Instant.ofEpochMilli(T + 500)).setEncoding(ImageEncoding.JPEG).setWidth(0).setHeight(0)
          .setData(ByteBuffer.wrap(new byte[largest])).build();
      byte[] value = AvroSerdes.specific(f.registry, ImageFrameEvent.class).serializer()
          .serialize(f.config.imageTopic(), huge);
      assertThat(value.length).isGreaterThan(largest);

      f.sendImage("ok", T + 1_000, 6, 120);
      f.raw(f.config.imageTopic()).pipeInput(new TestRecord<>("s".getBytes(StandardCharsets.UTF_8), value));
      f.sendImage("ok", T + 2_000, 6, 120);
      closeWindows(f, T + 2_000);

      List<TestRecord<byte[], byte[]>> letters = f.dlq.readRecordsToList();
      assertThat(letters).hasSize(1);
      assertThat(letters.get(0).value()).isEqualTo(value);
      assertThat(header(letters.get(0), DeadLetters.HEADER_REASON))
          .isEqualTo(FusionDeserializationExceptionHandler.REASON_RECORD_TOO_LARGE);
      assertThat(header(letters.get(0), DeadLetters.HEADER_EXCEPTION)).isEqualTo(OversizedRecordException.class.getName());
      assertThat(header(letters.get(0), DeadLetters.HEADER_MESSAGE)).contains("larger than the largest accepted record");
      assertThat(f.metrics.count("dlq." + FusionDeserializationExceptionHandler.REASON_RECORD_TOO_LARGE)).isEqualTo(1);
      assertThat(f.readPredictions()).extracting(FusedPrediction::getSessionId).containsExactly("ok");
    }
  }

  @Test
  void aLengthPrefixOverAvrosLimitsIsUndecodable() {
    try (TopologyFixture f = new TopologyFixture(AT_LEAST_ONCE)) {
      byte[] good = AvroSerdes.specific(f.registry, TextEvent.class).serializer()
          .serialize(f.config.textTopic(), TopologyFixture.textEvent("x", T, "hello"));
      // The good record's header (magic byte + schema id), then a session id claiming 2 GB.
      byte[] value = ByteBuffer.allocate(10).put(good, 0, 5)
          .put(new byte[] {(byte) 0x80, (byte) 0xd0, (byte) 0xac, (byte) 0xf3, 0x0e}).array();

      f.sendText("ok", T + 1_000, "a good line");
      f.raw(f.config.textTopic()).pipeInput(new TestRecord<>("s".getBytes(StandardCharsets.UTF_8), value));
      f.sendText("ok", T + 2_000, "a good line");
      closeWindows(f, T + 2_000);

      List<TestRecord<byte[], byte[]>> letters = f.dlq.readRecordsToList();
      assertThat(letters).hasSize(1);
      assertThat(header(letters.get(0), DeadLetters.HEADER_REASON))
          .isEqualTo(FusionDeserializationExceptionHandler.REASON_UNDECODABLE);
      assertThat(header(letters.get(0), DeadLetters.HEADER_MESSAGE))
          .contains("String length 2000000000 exceeds maximum allowed");
      assertThat(f.readPredictions()).extracting(FusedPrediction::getSessionId).containsExactly("ok");
    }
  }

  /** Past the window's end, grace and idle timeout on the wall clock: the window is fused. */
  private static void closeWindows(TopologyFixture f, long lastEventTime) {
    f.settle();
    f.advanceWallClockTo(lastEventTime + f.config.windowSize().toMillis() + f.config.grace().toMillis()
        + f.config.idleTimeout().toMillis() + 1_000);
    f.settle();
  }

  private static String header(TestRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
