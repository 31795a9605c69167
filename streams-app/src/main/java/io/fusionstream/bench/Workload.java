package io.fusionstream.bench;

import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.decode.DecodedImage;
import io.fusionstream.decode.InputDecoder;
import io.fusionstream.decode.InvalidInputException;
import io.fusionstream.produce.EventPublisher;
import io.fusionstream.produce.SyntheticStream;
import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.Modality;
import io.fusionstream.schema.TextEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The benchmark's sessions, generated once (drawing faces and voices is slow and must not count)
 * and then sent any number of times under new session ids and timestamps. Each session has exactly
 * {@code perModality} events of each modality: the generator's 1-2 events are repeated to fill.
 */
public final class Workload {
  private final List<Template> sessions;
  private final int perModality;

  private record Template(List<TextEvent> texts, List<ImageFrameEvent> frames, List<AudioChunkEvent> chunks) {}

  private Workload(List<Template> sessions, int perModality) {
    this.sessions = sessions;
    this.perModality = perModality;
  }

  public static Workload generate(int sessions, int perModality, long seed) {
    if (sessions <= 0 || perModality <= 0) {
      throw new IllegalArgumentException("sessions and events per modality must be positive");
    }
    SyntheticStream stream = new SyntheticStream(seed, 3_600_000L);
    List<Template> out = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      SyntheticStream.Session s = stream.next("template-" + i, Instant.EPOCH);
      out.add(new Template(fill(s.texts(), perModality), fill(s.frames(), perModality), fill(s.chunks(), perModality)));
    }
    return new Workload(out, perModality);
  }

  private static <T> List<T> fill(List<T> events, int n) {
    List<T> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(events.get(i % events.size()));
    }
    return out;
  }

  public int sessions() {
    return sessions.size();
  }

  public int perModality() {
    return perModality;
  }

  /** Events of one session, all modalities. */
  public int eventsPerSession() {
    return 3 * perModality;
  }

  /**
   * The texts that {@code count} text-only sessions send, in sending order: the inputs of the
   * bare-encoder side of the text-encode comparison.
   */
  public List<String> texts(int count) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sessions.get(i % sessions.size()).texts().forEach(e -> out.add(e.getText().toString()));
    }
    return out;
  }

  /**
   * Sends template {@code index} as session {@code sessionId}, its events 1 ms apart from
   * {@code firstEventMs} (text, image, audio interleaved, as a live session would send them).
   */
  public void send(EventPublisher publisher, int index, String sessionId, long firstEventMs, Set<Modality> modalities) {
    Template t = sessions.get(index % sessions.size());
    long ts = firstEventMs;
    for (int i = 0; i < perModality; i++) {
      if (modalities.contains(Modality.TEXT)) {
        publisher.send(TextEvent.newBuilder(t.texts().get(i)).setSessionId(sessionId)
            .setEventId(sessionId + "-t" + i).setTimestamp(Instant.ofEpochMilli(ts++)).build());
      }
      if (modalities.contains(Modality.IMAGE)) {
        publisher.send(ImageFrameEvent.newBuilder(t.frames().get(i)).setSessionId(sessionId)
            .setEventId(sessionId + "-i" + i).setTimestamp(Instant.ofEpochMilli(ts++)).build());
      }
      if (modalities.contains(Modality.AUDIO)) {
        publisher.send(AudioChunkEvent.newBuilder(t.chunks().get(i)).setSessionId(sessionId)
            .setEventId(sessionId + "-a" + i).setTimestamp(Instant.ofEpochMilli(ts++)).build());
      }
    }
  }

  /** The frames of {@code count} sessions, decoded as the pipeline decodes them: the bare image encoder's inputs. */
  public List<DecodedImage> images(int count, InputDecoder<ImageFrameEvent, DecodedImage> decoder) {
    List<DecodedImage> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      for (ImageFrameEvent e : sessions.get(i % sessions.size()).frames()) {
        out.add(decodeOrFail(decoder, e));
      }
    }
    return out;
  }

  /** The audio chunks of {@code count} sessions, decoded as the pipeline decodes them. */
  public List<DecodedAudio> audio(int count, InputDecoder<AudioChunkEvent, DecodedAudio> decoder) {
    List<DecodedAudio> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      for (AudioChunkEvent e : sessions.get(i % sessions.size()).chunks()) {
        out.add(decodeOrFail(decoder, e));
      }
    }
    return out;
  }

  private static <E, I> I decodeOrFail(InputDecoder<E, I> decoder, E event) {
    try {
      return decoder.decode(event);
    } catch (InvalidInputException e) {
      throw new IllegalStateException("the benchmark's own input does not decode: " + e.getMessage(), e);
    }
  }
}
