package io.fusionstream.topology;

import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.decode.DecodedImage;
import io.fusionstream.encode.Encoder;
import io.fusionstream.decode.InputDecoder;
import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.Modality;
import io.fusionstream.schema.TextEvent;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.avro.specific.SpecificRecord;

/**
 * Everything the topology needs to know about one modality: where its events come from, how to
 * read their session and event time, how to decode and how to encode them. The stages are written
 * once against this and instantiated per modality, so no stage is copied between modalities.
 */
public record ModalityRoute<E extends SpecificRecord, I>(
    Modality modality,
    String topic,
    Class<E> eventType,
    Function<E, String> sessionId,
    Function<E, String> eventId,
    ToLongFunction<E> eventTime,
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
    return new ModalityRoute<>(Modality.TEXT, topic, TextEvent.class, TextEvent::getSessionId,
        TextEvent::getEventId, e -> millis(e.getTimestamp()), decoder, encoder);
  }

  public static ModalityRoute<ImageFrameEvent, DecodedImage> image(String topic,
      InputDecoder<ImageFrameEvent, DecodedImage> decoder, Encoder<DecodedImage> encoder) {
    return new ModalityRoute<>(Modality.IMAGE, topic, ImageFrameEvent.class, ImageFrameEvent::getSessionId,
        ImageFrameEvent::getEventId, e -> millis(e.getTimestamp()), decoder, encoder);
  }

  public static ModalityRoute<AudioChunkEvent, DecodedAudio> audio(String topic,
      InputDecoder<AudioChunkEvent, DecodedAudio> decoder, Encoder<DecodedAudio> encoder) {
    return new ModalityRoute<>(Modality.AUDIO, topic, AudioChunkEvent.class, AudioChunkEvent::getSessionId,
        AudioChunkEvent::getEventId, e -> millis(e.getTimestamp()), decoder, encoder);
  }

  private static long millis(java.time.Instant t) {
    return t == null ? -1 : t.toEpochMilli();
  }

  /** Lower-case name used in processor, store and stage names. */
  public String name() {
    return modality.name().toLowerCase(java.util.Locale.ROOT);
  }
}
