package io.fusionstream.topology;

import static io.fusionstream.topology.TopologyFixture.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.chaos.BadInputs;
import io.fusionstream.decode.InvalidInputException;
import io.fusionstream.decode.Reasons;
import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.AudioEncoding;
import io.fusionstream.schema.FusedPrediction;
import io.fusionstream.schema.ImageEncoding;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.Modality;
import io.fusionstream.schema.TextEvent;
import io.fusionstream.serde.AvroSerdes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every reason a record becomes a dead letter: the dead letter has the original key and value
 * bytes, the input headers, the Kafka Streams error headers and our reason; the next good record of
 * the same topic is still processed.
 */
class DeadLetterTest {
  private static final String SERDE_ERROR = SerializationException.class.getName();
  private static final String INPUT_ERROR = InvalidInputException.class.getName();

  record Case(String name, Modality modality, Function<TopologyFixture, byte[]> value, String reason,
      String exception) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        new Case("not Avro at all", Modality.TEXT, f -> BadInputs.notAvro(),
            FusionDeserializationExceptionHandler.REASON_UNDECODABLE, SERDE_ERROR),
        new Case("truncated Avro body", Modality.IMAGE,
            f -> BadInputs.truncate(avro(f, TopologyFixture.imageEvent("s", T, 3, 9)), 12),
            FusionDeserializationExceptionHandler.REASON_UNDECODABLE, SERDE_ERROR),
        new Case("unknown schema id", Modality.AUDIO, f -> BadInputs.unknownSchemaId(),
            FusionDeserializationExceptionHandler.REASON_UNKNOWN_SCHEMA, SERDE_ERROR),
        new Case("missing session id", Modality.TEXT,
            f -> avro(f, TopologyFixture.textEvent("", T + 500, "who am i")),
            DecodeStage.REASON_MISSING_SESSION, INPUT_ERROR),
        new Case("negative event time", Modality.TEXT,
            f -> avro(f, TopologyFixture.textEvent("s", -5, "before the epoch")),
            DecodeStage.REASON_BAD_TIMESTAMP, INPUT_ERROR),
        new Case("blank text", Modality.TEXT, f -> avro(f, TopologyFixture.textEvent("s", T + 500, "   ")),
            Reasons.EMPTY_DATA, INPUT_ERROR),
        new Case("text over the length limit", Modality.TEXT,
            f -> avro(f, TopologyFixture.textEvent("s", T + 500, "x".repeat(101))), Reasons.TEXT_TOO_LONG, INPUT_ERROR),
        new Case("image over the byte limit", Modality.IMAGE,
            f -> avro(f, TopologyFixture.imageEvent("s", T + 500, 40, 1)), Reasons.IMAGE_TOO_LARGE, INPUT_ERROR),
        new Case("image over the pixel limit", Modality.IMAGE,
            f -> avro(f, TopologyFixture.imageEvent("s", T + 500, 33, 1)), Reasons.IMAGE_TOO_LARGE, INPUT_ERROR),
        new Case("raw image of the wrong size", Modality.IMAGE,
            f -> avro(f, TopologyFixture.imageEvent("s", T + 500, 8, 8, new byte[10])),
            Reasons.IMAGE_BAD_DIMENSIONS, INPUT_ERROR),
        new Case("PNG that does not decode", Modality.IMAGE, f -> avro(f, ImageFrameEvent.newBuilder(
                TopologyFixture.imageEvent("s", T + 500, 4, 1)).setEncoding(ImageEncoding.PNG).setWidth(0).setHeight(0)
                .setData(ByteBuffer.wrap(BadInputs.notAnImage())).build()),
            Reasons.IMAGE_DECODE_FAILED, INPUT_ERROR),
        new Case("audio over the byte limit", Modality.AUDIO,
            f -> avro(f, TopologyFixture.audioEvent("s", T + 500, 20_001, (short) 1)), Reasons.AUDIO_TOO_LONG, INPUT_ERROR),
        new Case("audio over the duration limit", Modality.AUDIO,
            f -> avro(f, TopologyFixture.audioEvent("s", T + 500, 9_000, (short) 1)), Reasons.AUDIO_TOO_LONG, INPUT_ERROR),
        new Case("PCM that is not whole samples", Modality.AUDIO,
            f -> avro(f, BadInputs.audio("s", T + 500, AudioEncoding.PCM_S16LE, 8_000, 1, new byte[101])),
            Reasons.AUDIO_BAD_FORMAT, INPUT_ERROR),
        new Case("WAV with a broken header", Modality.AUDIO, f -> avro(f, AudioChunkEvent.newBuilder(
                TopologyFixture.audioEvent("s", T + 500, 10, (short) 1)).setEncoding(AudioEncoding.WAV)
                .setData(ByteBuffer.wrap(BadInputs.brokenWav())).build()),
            Reasons.AUDIO_BAD_HEADER, INPUT_ERROR)
    ).map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badRecordGoesToTheDeadLetterTopicAndTheNextOneIsProcessed(Case c) {
    // Under exactly_once_v2, TopologyTestDriver 4.3.1 drops the dead letters that the
    // deserialization handler returns (those of the processing handler arrive); the driver runs
    // those cases at_least_once. FusionPipelineIT checks them on a real broker under exactly-once.
    String guarantee = c.exception().equals(SERDE_ERROR) ? "at_least_once" : "exactly_once_v2";
    try (TopologyFixture f = new TopologyFixture(Map.of("processing.guarantee", guarantee))) {
      String topic = topic(f, c.modality());
      // Two good records first, so the bad one is at offset 2 and shares the encode batch with them.
      sendGood(f, c.modality(), "ok", T + 1_000);
      sendGood(f, c.modality(), "ok", T + 2_000);
      byte[] value = c.value().apply(f);
      Headers headers = new RecordHeaders().add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
      f.raw(topic).pipeInput(new TestRecord<>("bad-key".getBytes(StandardCharsets.UTF_8), value, headers));
      sendGood(f, c.modality(), "ok", T + 3_000);
      f.closeIdleWindows();

      List<TestRecord<byte[], byte[]>> letters = f.dlq.readRecordsToList();
      assertThat(letters).hasSize(1);
      TestRecord<byte[], byte[]> letter = letters.get(0);
      assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("bad-key");
      assertThat(letter.value()).isEqualTo(value);
      assertThat(header(letter, "trace-id")).isEqualTo("abc");
      assertThat(header(letter, DeadLetters.HEADER_REASON)).isEqualTo(c.reason());
      assertThat(header(letter, DeadLetters.HEADER_EXCEPTION)).isEqualTo(c.exception());
      assertThat(header(letter, DeadLetters.HEADER_MESSAGE)).isNotBlank();
      assertThat(header(letter, DeadLetters.HEADER_STACKTRACE)).as("fusion.dlq.stacktrace=false by default").isNull();
      assertThat(header(letter, DeadLetters.HEADER_TOPIC)).isEqualTo(topic);
      assertThat(header(letter, DeadLetters.HEADER_PARTITION)).isEqualTo("0");
      assertThat(header(letter, DeadLetters.HEADER_OFFSET)).isEqualTo("2");
      assertThat(f.metrics.count("dlq." + c.reason())).isEqualTo(1);
      assertThat(f.metrics.count("dlq.total")).isEqualTo(1);

      List<FusedPrediction> out = f.readPredictions();
      assertThat(out).extracting(FusedPrediction::getSessionId).containsExactly("ok");
      String modality = c.modality().name().toLowerCase();
      assertThat(out.get(0).getModalityEventCounts()).containsEntry(modality, 3);
      assertThat(f.predictions.isEmpty()).isTrue();
    }
  }

  static Stream<Arguments> privacyCases() {
    return cases().flatMap(a -> Stream.of("drop", "hash").map(mode -> Arguments.of(a.get()[0], mode)));
  }

  @ParameterizedTest(name = "{1}: {0}")
  @MethodSource("privacyCases")
  void dropAndHashLettersCarryNoPayloadBytes(Case c, String mode) throws Exception {
    String guarantee = c.exception().equals(SERDE_ERROR) ? "at_least_once" : "exactly_once_v2";
    try (TopologyFixture f = new TopologyFixture(Map.of("processing.guarantee", guarantee,
        io.fusionstream.config.FusionConfig.DLQ_PAYLOAD, mode,
        io.fusionstream.config.FusionConfig.DLQ_STACKTRACE, "true"))) {
      String topic = topic(f, c.modality());
      byte[] value = c.value().apply(f);
      byte[] key = "bad-key".getBytes(StandardCharsets.UTF_8);
      Headers headers = new RecordHeaders().add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
      f.raw(topic).pipeInput(new TestRecord<>(key, value, headers));
      f.closeIdleWindows();

      List<TestRecord<byte[], byte[]>> letters = f.dlq.readRecordsToList();
      assertThat(letters).hasSize(1);
      TestRecord<byte[], byte[]> letter = letters.get(0);
      assertThat(letter.key()).isNull();
      assertThat(letter.value()).isNull();
      assertThat(header(letter, "trace-id")).as("source headers go with the payload").isNull();
      assertThat(header(letter, DeadLetterPolicy.HEADER_POLICY)).isEqualTo(mode);
      assertThat(header(letter, DeadLetters.HEADER_REASON)).isEqualTo(c.reason());
      assertThat(header(letter, DeadLetters.HEADER_EXCEPTION)).isEqualTo(c.exception());
      assertThat(header(letter, DeadLetters.HEADER_OFFSET)).isEqualTo("0");
      assertThat(header(letter, DeadLetters.HEADER_STACKTRACE)).as("asked for").contains(c.exception());
      for (Header h : letter.headers()) {
        if (value.length >= 8) {
          assertThat(indexOf(h.value(), value)).as("payload in header " + h.key()).isNegative();
        }
      }
      if (mode.equals("hash")) {
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(value));
        assertThat(header(letter, DeadLetterPolicy.HEADER_VALUE_SHA256)).isEqualTo(sha);
        assertThat(header(letter, DeadLetterPolicy.HEADER_VALUE_LENGTH)).isEqualTo(Integer.toString(value.length));
        assertThat(header(letter, DeadLetterPolicy.HEADER_KEY_LENGTH)).isEqualTo("7");
      } else {
        assertThat(header(letter, DeadLetterPolicy.HEADER_VALUE_SHA256)).isNull();
      }
    }
  }

  @org.junit.jupiter.api.Test
  void aBatchingStagesLetterPassesThePolicyToo() {
    byte[] value = "a face frame's bytes".getBytes(StandardCharsets.UTF_8);
    Headers headers = DeadLetters.headers("encode-failed", new IllegalStateException("model refused"),
        "image-frames", 0, 9);
    headers.add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
    DeadLetterRecord letter = new DeadLetterRecord("session-1".getBytes(StandardCharsets.UTF_8), value, headers);

    DeadLetterRecord hashed = DeadLetters.apply(letter, new DeadLetterPolicy(DeadLetterPolicy.Payload.HASH, false));
    assertThat(hashed.key()).isNull();
    assertThat(hashed.value()).isNull();
    assertThat(hashed.headers().lastHeader("trace-id")).isNull();
    assertThat(new String(hashed.headers().lastHeader(DeadLetterPolicy.HEADER_VALUE_LENGTH).value(),
        StandardCharsets.UTF_8)).isEqualTo(Integer.toString(value.length));
    assertThat(new String(hashed.headers().lastHeader(DeadLetters.HEADER_REASON).value(), StandardCharsets.UTF_8))
        .isEqualTo("encode-failed");

    DeadLetterRecord kept = DeadLetters.apply(letter, DeadLetterPolicy.DEFAULT);
    assertThat(kept.value()).isEqualTo(value);
    assertThat(kept.headers().lastHeader("trace-id")).isNotNull();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; haystack != null && i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static String topic(TopologyFixture f, Modality m) {
    return switch (m) {
      case TEXT -> f.config.textTopic();
      case IMAGE -> f.config.imageTopic();
      case AUDIO -> f.config.audioTopic();
    };
  }

  private static void sendGood(TopologyFixture f, Modality m, String session, long at) {
    switch (m) {
      case TEXT -> f.sendText(session, at, "a good line");
      case IMAGE -> f.sendImage(session, at, 6, 120);
      case AUDIO -> f.sendAudio(session, at, 400, (short) 900);
    }
  }

  @SuppressWarnings("unchecked")
  private static byte[] avro(TopologyFixture f, SpecificRecord event) {
    String topic = event instanceof TextEvent ? f.config.textTopic()
        : event instanceof ImageFrameEvent ? f.config.imageTopic() : f.config.audioTopic();
    return AvroSerdes.specific(f.registry, (Class<SpecificRecord>) event.getClass()).serializer()
        .serialize(topic, event);
  }

  private static String header(TestRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
