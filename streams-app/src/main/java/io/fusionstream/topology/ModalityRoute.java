package io.fusionstream.topology;

import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.decode.DecodedImage;
import io.fusionstream.encode.Encoder;
import io.fusionstream.decode.InputDecoder;
import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.Modality;
import io.fusionstream.schema.TextEvent;
import io.fusionstream.schema.AudioEncoding;
import io.fusionstream.schema.ImageEncoding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.avro.specific.SpecificRecord;

/**
 * Everything the topology needs to know about one modality: where its events come from, how to
 * read their session and event time, how to decode and how to encode them, what an event and its
 * decoded input weigh in memory, and a small event known to be valid (the canary that tells a
 * broken model from a poison input). The stages are written once against this and instantiated per
 * modality, so no stage is copied between modalities.
 */
public record ModalityRoute<E extends SpecificRecord, I>(
    Modality modality,
    String topic,
    Class<E> eventType,
    Function<E, String> sessionId,
    Function<E, String> eventId,
    ToLongFunction<E> eventTime,
    ToLongFunction<E> payloadBytes,
    ToLongFunction<I> decodedBytes,
    E canary,
    InputDecoder<E, I> decoder,
    Encoder<I> encoder) {

  public ModalityRoute {
    Objects.requireNonNull(modality, "modality");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(decoder, "decoder of " + modality);
    Objects.requireNonNull(encoder, "encoder of " + modality);
    if (encoder.modality() != modality) {
      throw new IllegalArgumentException("encoder " + encoder.modelId() + " is for " + encoder.modality()
          + ", not " + modality);
    }
  }

  public static ModalityRoute<TextEvent, String> text(String topic, InputDecoder<TextEvent, String> decoder,
      Encoder<String> encoder) {
    TextEvent canary = TextEvent.newBuilder().setSessionId(CANARY).setEventId(CANARY).setTimestamp(Instant.EPOCH)
        .setText("thank you, that works").build();
    return new ModalityRoute<>(Modality.TEXT, topic, TextEvent.class, TextEvent::getSessionId,
        TextEvent::getEventId, e -> millis(e.getTimestamp()), e -> 2L * length(e.getText()), s -> 2L * s.length(),
        canary, decoder, encoder);
  }

  public static ModalityRoute<ImageFrameEvent, DecodedImage> image(String topic,
      InputDecoder<ImageFrameEvent, DecodedImage> decoder, Encoder<DecodedImage> encoder) {
    byte[] grey = new byte[32 * 32 * 3];
    java.util.Arrays.fill(grey, (byte) 0x80);
    ImageFrameEvent canary = ImageFrameEvent.newBuilder().setSessionId(CANARY).setEventId(CANARY)
        .setTimestamp(Instant.EPOCH).setEncoding(ImageEncoding.RAW_RGB).setWidth(32).setHeight(32)
        .setData(ByteBuffer.wrap(grey)).build();
    return new ModalityRoute<>(Modality.IMAGE, topic, ImageFrameEvent.class, ImageFrameEvent::getSessionId,
        ImageFrameEvent::getEventId, e -> millis(e.getTimestamp()), e -> remaining(e.getData()),
        img -> 3L * img.width() * img.height(), canary, decoder, encoder);
  }

  public static ModalityRoute<AudioChunkEvent, DecodedAudio> audio(String topic,
      InputDecoder<AudioChunkEvent, DecodedAudio> decoder, Encoder<DecodedAudio> encoder) {
    int rate = 16_000;
    ByteBuffer tone = ByteBuffer.allocate(rate).order(ByteOrder.LITTLE_ENDIAN); // half a second, 16 bit
    for (int i = 0; i < rate / 2; i++) {
      tone.putShort((short) (3000 * Math.sin(2 * Math.PI * 440 * i / rate)));
    }
    AudioChunkEvent canary = AudioChunkEvent.newBuilder().setSessionId(CANARY).setEventId(CANARY)
        .setTimestamp(Instant.EPOCH).setEncoding(AudioEncoding.PCM_S16LE).setSampleRate(rate).setChannels(1)
        .setData(tone.flip()).build();
    return new ModalityRoute<>(Modality.AUDIO, topic, AudioChunkEvent.class, AudioChunkEvent::getSessionId,
        AudioChunkEvent::getEventId, e -> millis(e.getTimestamp()), e -> remaining(e.getData()),
        a -> 4L * a.samples().length, canary, decoder, encoder);
  }

  private static final String CANARY = "fusion-canary";

  private static long millis(Instant t) {
    return t == null ? -1 : t.toEpochMilli();
  }

  private static long length(String s) {
    return s == null ? 0 : s.length();
  }

  private static long remaining(ByteBuffer b) {
    return b == null ? 0 : b.remaining();
  }

  /** Bytes the event and its decoded input hold in memory while pending. */
  public long weight(ValidEvent<?, ?> e) {
    @SuppressWarnings("unchecked")
    ValidEvent<E, I> typed = (ValidEvent<E, I>) e;
    long decoded = typed.decoded() == null ? 0 : decodedBytes.applyAsLong(typed.decoded());
    return payloadBytes.applyAsLong(typed.event()) + decoded;
  }

  /** Lower-case name used in processor, store and stage names. */
  public String name() {
    return modality.name().toLowerCase(java.util.Locale.ROOT);
  }
}
