package io.fusionstream.chaos;

import static io.fusionstream.chaos.Kind.Expect.anyReason;
import static io.fusionstream.chaos.Kind.Expect.counterRises;
import static io.fusionstream.chaos.Kind.Expect.noDeadLetter;
import static io.fusionstream.chaos.Kind.Expect.reason;
import static io.fusionstream.chaos.Kind.Expect.reasonStartingWith;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fusionstream.fusion.ModelDescription;
import io.fusionstream.fusion.ModelVersions;
import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.AudioEncoding;
import io.fusionstream.schema.ImageEncoding;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.TextEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The kinds of bad input of the chaos suite, grouped by what they attack. Reason codes are the specified ones where the specification names one; for
 * the other media kinds the reason must at least name the modality (image-*, audio-*).
 */
final class ChaosKinds {
  static final String MODEL_REFUSED = "fusion_model_refused_total";

  private static final long MINUTE = 60_000L;
  private static final long DAY = 24 * 60 * MINUTE;
  private static final long TWO_GB = 2_000_000_000L;

  /** A named group of kinds. */
  record Group(String name, List<Kind> kinds) {}

  @FunctionalInterface
  private interface BadRecords {
    List<RecordMetadata> send(Sender s, String key) throws Exception;
  }

  private ChaosKinds() {}

  static List<Group> groups() {
    return List.of(
        new Group("wire format", List.of(
            bad("not Avro at all", "text", anyReason(), (s, k) -> one(s.raw(s.text(), k, BadInputs.notAvro()))),
            bad("wrong magic byte", "image", anyReason(), (s, k) ->
                one(s.raw(s.image(), k, BadInputs.wrongMagic(s.bytes(s.image(), BadInputs.greyImage(k, now(), 4, 9)))))),
            bad("unknown schema id", "audio", reason("unknown-schema-id"), (s, k) ->
                one(s.raw(s.audio(), k, BadInputs.unknownSchemaId()))),
            bad("truncated Avro", "image", anyReason(), (s, k) ->
                one(s.raw(s.image(), k, BadInputs.truncate(s.bytes(s.image(), BadInputs.greyImage(k, now(), 3, 9)), 12)))),
            bad("trailing bytes after the record", "audio", anyReason(), (s, k) ->
                one(s.raw(s.audio(), k, BadInputs.withTrailingBytes(s.bytes(s.audio(), tone(k, now())), 7)))),
            bad("AudioChunkEvent on the text topic", "text", anyReason(), (s, k) ->
                one(s.raw(s.text(), k, s.bytes(s.audio(), tone(k, now()))))),
            bad("tombstone", "image", reason("null-value"), (s, k) -> one(s.raw(s.image(), k, null))),
            bad("empty value", "text", anyReason(), (s, k) -> one(s.raw(s.text(), k, new byte[0]))))),
        new Group("event fields", List.of(
            bad("missing session id", "text", reason("missing-session-id"), (s, k) ->
                one(s.avro(s.text(), k, BadInputs.text("", now(), "who am i")))),
            bad("negative timestamp", "audio", reason("invalid-timestamp"), (s, k) ->
                one(s.avro(s.audio(), k, tone(k, -5)))),
            bad("blank text", "text", anyReason(), (s, k) -> one(s.avro(s.text(), k, BadInputs.text(k, now(), "   ")))),
            bad("over-long text", "text", reasonStartingWith("text-"), (s, k) ->
                one(s.avro(s.text(), k, BadInputs.text(k, now(), "long ".repeat(4_001))))),
            bad("session id of 70000 chars", "text", reason("session-id-too-long"), (s, k) ->
                one(s.avro(s.text(), k, BadInputs.text("s".repeat(70_000), now(), "who is this")))))),
        new Group("image payloads", List.of(
            bad("PNG header declaring 100000 x 100000", "image", reasonStartingWith("image-"), (s, k) ->
                one(s.avro(s.image(), k, BadInputs.imageFile(k, now(), ImageEncoding.PNG,
                    BadInputs.pngHeaderOnly(100_000, 100_000))))),
            bad("truncated PNG", "image", reasonStartingWith("image-"), (s, k) -> {
              byte[] png = BadInputs.png(64, 64);
              return one(s.avro(s.image(), k, BadInputs.imageFile(k, now(), ImageEncoding.PNG,
                  BadInputs.truncate(png, 45))));
            }),
            bad("truncated JPEG", "image", reasonStartingWith("image-"), (s, k) -> {
              byte[] jpeg = BadInputs.jpeg(64, 64);
              return one(s.avro(s.image(), k, BadInputs.imageFile(k, now(), ImageEncoding.JPEG,
                  BadInputs.truncate(jpeg, jpeg.length / 2))));
            }),
            bad("RAW_RGB with the wrong byte count", "image", reasonStartingWith("image-"), (s, k) ->
                one(s.avro(s.image(), k, BadInputs.rawImage(k, now(), 8, 8, new byte[10])))),
            bad("corrupt JPEG of 1045872 bytes", "image", reasonStartingWith("image-"), (s, k) ->
                one(s.avro(s.image(), k, BadInputs.imageFile(k, now(), ImageEncoding.JPEG,
                    BadInputs.corruptJpeg(1_045_872, 7))))))),
        new Group("audio payloads", List.of(
            bad("PCM with an odd byte count", "audio", reasonStartingWith("audio-"), (s, k) ->
                one(s.avro(s.audio(), k, BadInputs.audio(k, now(), AudioEncoding.PCM_S16LE, 8_000, 1, new byte[101])))),
            bad("zero sample rate", "audio", reasonStartingWith("audio-"), (s, k) ->
                one(s.avro(s.audio(), k, BadInputs.audio(k, now(), AudioEncoding.PCM_S16LE, 0, 1,
                    BadInputs.pcm(800, (short) 100))))),
            bad("zero channels", "audio", reasonStartingWith("audio-"), (s, k) ->
                one(s.avro(s.audio(), k, BadInputs.audio(k, now(), AudioEncoding.PCM_S16LE, 8_000, 0,
                    BadInputs.pcm(800, (short) 100))))),
            bad("NaN float samples", "audio", reasonStartingWith("audio-"), (s, k) -> {
              float[] nan = new float[400];
              java.util.Arrays.fill(nan, Float.NaN);
              return one(s.avro(s.audio(), k, BadInputs.audio(k, now(), AudioEncoding.FLOAT32_LE, 8_000, 1,
                  BadInputs.float32(nan))));
            }),
            bad("audio of 31 s", "audio", reasonStartingWith("audio-"), (s, k) ->
                one(s.avro(s.audio(), k, BadInputs.tone(k, now(), 31 * 8_000, (short) 1_000, 8_000)))))),
        // The original outage: one device with its clock ahead made every other session "late".
        new Group("clocks", List.of(
            bad("text 30 min ahead", "text", reason("timestamp-out-of-bounds"), (s, k) ->
                one(s.avro(s.text(), k, BadInputs.text(k, now() + 30 * MINUTE, "from the future")))),
            bad("image 30 min ahead", "image", reason("timestamp-out-of-bounds"), (s, k) ->
                one(s.avro(s.image(), k, BadInputs.greyImage(k, now() + 30 * MINUTE, 8, 50)))),
            bad("audio 30 min ahead", "audio", reason("timestamp-out-of-bounds"), (s, k) ->
                one(s.avro(s.audio(), k, BadInputs.tone(k, now() + 30 * MINUTE, 800, (short) 900, 8_000)))),
            bad("text 30 days old", "text", reason("timestamp-out-of-bounds"), (s, k) ->
                one(s.avro(s.text(), k, BadInputs.text(k, now() - 30 * DAY, "from last month")))))),
        new Group("Avro length bombs", List.of(
            bad("TextEvent string length 2 GB", "text", reason("undecodable-record"), (s, k) ->
                one(s.raw(s.text(), k, BadInputs.lengthBomb(s.schemaId(s.text(), BadInputs.text(k, 1, "x")),
                    TextEvent.getClassSchema(), "session_id", TWO_GB)))),
            bad("ImageFrameEvent.data length 2 GB", "image", reason("undecodable-record"), (s, k) ->
                one(s.raw(s.image(), k, BadInputs.lengthBomb(s.schemaId(s.image(), BadInputs.greyImage(k, 1, 1, 1)),
                    ImageFrameEvent.getClassSchema(), "data", TWO_GB)))),
            bad("AudioChunkEvent.data length 2 GB", "audio", reason("undecodable-record"), (s, k) ->
                one(s.raw(s.audio(), k, BadInputs.lengthBomb(s.schemaId(s.audio(), tone(k, 1)),
                    AudioChunkEvent.getClassSchema(), "data", TWO_GB)))))),
        new Group("image shapes", List.of(
            bad("PNG 1 x 10000000", "image", reasonStartingWith("image-"), (s, k) ->
                one(s.avro(s.image(), k, BadInputs.imageFile(k, now(), ImageEncoding.PNG, BadInputs.png(1, 10_000_000))))),
            bad("JPEG 20000 x 10", "image", reasonStartingWith("image-"), (s, k) ->
                one(s.avro(s.image(), k, BadInputs.imageFile(k, now(), ImageEncoding.JPEG, BadInputs.jpeg(20_000, 10))))),
            bad("JPEG 10 x 20000", "image", reasonStartingWith("image-"), (s, k) ->
                one(s.avro(s.image(), k, BadInputs.imageFile(k, now(), ImageEncoding.JPEG, BadInputs.jpeg(10, 20_000))))),
            bad("PNG 16000 x 100", "image", reasonStartingWith("image-"), (s, k) ->
                one(s.avro(s.image(), k, BadInputs.imageFile(k, now(), ImageEncoding.PNG, BadInputs.png(16_000, 100))))))),
        new Group("audio formats", List.of(
            bad("WAV at 2000000012 Hz", "audio", reasonStartingWith("audio-"), (s, k) ->
                one(s.avro(s.audio(), k, BadInputs.wavEvent(k, now(),
                    BadInputs.wav(2_000_000_012, 1, 16, BadInputs.pcm(1_600, (short) 500)))))),
            bad("WAV with 65535 channels", "audio", reasonStartingWith("audio-"), (s, k) ->
                one(s.avro(s.audio(), k, BadInputs.wavEvent(k, now(),
                    BadInputs.wav(16_000, 65_535, 16, new byte[2 * 65_535 * 2]))))),
            bad("PCM at 2000000000 Hz", "audio", reasonStartingWith("audio-"), (s, k) ->
                one(s.avro(s.audio(), k, BadInputs.audio(k, now(), AudioEncoding.PCM_S16LE, 2_000_000_000, 1,
                    BadInputs.pcm(1_600, (short) 500))))),
            bad("PCM with 100000 channels", "audio", reasonStartingWith("audio-"), (s, k) ->
                one(s.avro(s.audio(), k, BadInputs.audio(k, now(), AudioEncoding.PCM_S16LE, 16_000, 100_000,
                    new byte[2 * 100_000 * 2])))))),
        new Group("record sizes", List.of(
            bad("9 MiB of text", "text", reason("record-too-large"), (s, k) ->
                one(s.avro(s.text(), k, BadInputs.text(k, now(), "a".repeat(9 * 1024 * 1024))))),
            // Valid, and its pending-batch and changelog writes are over 1 MiB.
            new Kind("valid RAW_RGB frame of 2001000 bytes", "image", noDeadLetter(), ChaosKinds::bigFrameSession,
                true))),
        // Last: a refused model stays in the model directory, where a restarted application would find it.
        new Group("encoder and model faults", List.of(
            new Kind("poison text in a batch", "text", reason("encode-failed"), ChaosKinds::poisonInBatch, true),
            new Kind("fusion model with wrong input dimensions", "model dir", counterRises(MODEL_REFUSED),
                ChaosKinds::wrongDimensionModel, false))));
  }

  private static Kind bad(String name, String topic, Kind.Expect expect, BadRecords records) {
    return new Kind(name, topic, expect, (s, ids) -> s.goodSession(ids.session(), records.send(s, ids.badKey())),
        false);
  }

  private static List<RecordMetadata> one(RecordMetadata m) {
    return List.of(m);
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private static AudioChunkEvent tone(String session, long at) {
    return BadInputs.tone(session, at, 800, (short) 1_200, 8_000);
  }

  private static Kind.Sent bigFrameSession(Sender s, Kind.Ids ids) throws Exception {
    long at = now();
    String session = ids.session();
    byte[] rgb = new byte[1_000 * 667 * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) (i % 251);
    }
    List<RecordMetadata> sent = s.burst(List.of(
        new ProducerRecord<>(s.text(), session, BadInputs.text(session, at, "look at this large picture")),
        new ProducerRecord<>(s.image(), session, BadInputs.rawImage(session, at, 1_000, 667, rgb)),
        new ProducerRecord<>(s.audio(), session, tone(session, at))));
    return new Kind.Sent(List.of(sent.get(1)), at, Map.of("text", 1, "image", 1, "audio", 1), null, Double.NaN);
  }

  /** Four good texts around one the encoder fails on, in one burst, so they share an encode batch. */
  private static Kind.Sent poisonInBatch(Sender s, Kind.Ids ids) throws Exception {
    long at = now();
    String session = ids.session();
    List<ProducerRecord<String, SpecificRecord>> events = new ArrayList<>();
    events.add(new ProducerRecord<>(s.text(), session, BadInputs.text(session, at, "good morning, how are you")));
    events.add(new ProducerRecord<>(s.text(), session, BadInputs.text(session, at, "I am fine, thanks")));
    events.add(new ProducerRecord<>(s.text(), session,
        BadInputs.text(session, at, PoisonTextEncoder.MARKER + " the encoder fails on this one")));
    events.add(new ProducerRecord<>(s.text(), session, BadInputs.text(session, at, "shall we start the meeting")));
    events.add(new ProducerRecord<>(s.text(), session, BadInputs.text(session, at, "yes, let us begin")));
    events.add(new ProducerRecord<>(s.image(), session, BadInputs.greyImage(session, at, 16, 80)));
    events.add(new ProducerRecord<>(s.audio(), session, tone(session, at)));
    List<RecordMetadata> sent = s.burst(events);
    return new Kind.Sent(List.of(sent.get(2)), at, Map.of("text", 4, "image", 1, "audio", 1), null, Double.NaN);
  }

  /**
   * Publishes a copy of the serving model whose model.json claims another text encoder with other
   * dimensions. The application must refuse it and keep serving the old version.
   */
  private static Kind.Sent wrongDimensionModel(Sender s, Kind.Ids ids) throws Exception {
    ChildApp app = s.state().app;
    Path root = s.state().modelDir;
    double before = app.counter(MODEL_REFUSED);
    Path serving = ModelVersions.newest(root).orElseThrow();
    String servingVersion = ModelDescription.read(serving).version();
    String next = ModelVersions.next(root);
    ModelVersions.publish(root, next, dir -> {
      try (Stream<Path> files = Files.list(serving)) {
        for (Path f : files.toList()) {
          Files.copy(f, dir.resolve(f.getFileName()));
        }
      }
      ObjectMapper json = new ObjectMapper();
      ObjectNode model = (ObjectNode) json.readTree(dir.resolve(ModelDescription.FILE).toFile());
      model.put("version", next);
      ((ObjectNode) model.get("inputDims")).put("text", 100);
      ((ObjectNode) model.get("encoderIds")).put("text", "some-other-text-encoder@1");
      json.writeValue(dir.resolve(ModelDescription.FILE).toFile(), model);
    });
    // The store polls every 500 ms: give it time to see the new version before the session is sent,
    // so that the session tests the refusal rather than racing it.
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline && !(app.counter(MODEL_REFUSED) > before)) {
      Thread.sleep(200);
    }
    Kind.Sent good = s.goodSession(ids.session(), List.of());
    return new Kind.Sent(List.of(), good.sessionAtMs(), good.counts(), servingVersion, before);
  }
}
