package io.fusionstream.produce;

import io.fusionstream.fusion.synth.SyntheticSession;
import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.AudioEncoding;
import io.fusionstream.schema.ImageEncoding;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.TextEvent;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Generated sessions as Kafka events, from the same generator as the training data. A session's
 * events span {@link #SPAN_MS}; its start is moved to the next window when it would straddle a
 * window boundary, so each session is one window, like one line of the training manifest.
 */
public final class SyntheticStream {
  public static final long SPAN_MS = 2_500;

  private final Random random;
  private final long windowMs;

  public SyntheticStream(long seed, long windowMs) {
    this.random = new Random(seed);
    this.windowMs = windowMs;
  }

  /** One session's events and the start of the (tumbling) window they fall in. */
  public record Session(String id, String label, long windowStart, List<TextEvent> texts,
      List<ImageFrameEvent> frames, List<AudioChunkEvent> chunks) {
    public int events() {
      return texts.size() + frames.size() + chunks.size();
    }
  }

  public Session next(String id, Instant notBefore) {
    SyntheticSession s = SyntheticSession.sample(random);
    long start = notBefore.toEpochMilli();
    long windowStart = start - Math.floorMod(start, windowMs);
    if (start + SPAN_MS >= windowStart + windowMs) {
      windowStart += windowMs;
      start = windowStart + 1;
    }
    List<TextEvent> texts = new ArrayList<>();
    for (String t : s.texts()) {
      texts.add(TextEvent.newBuilder().setSessionId(id).setEventId(id + "-t" + texts.size())
          .setTimestamp(Instant.ofEpochMilli(start + 1_000L * texts.size())).setText(t).setSource("asr").build());
    }
    List<ImageFrameEvent> frames = new ArrayList<>();
    for (BufferedImage img : s.frames()) {
      frames.add(ImageFrameEvent.newBuilder().setSessionId(id).setEventId(id + "-i" + frames.size())
          .setTimestamp(Instant.ofEpochMilli(start + 500 + 1_000L * frames.size())).setEncoding(ImageEncoding.PNG)
          .setWidth(img.getWidth()).setHeight(img.getHeight()).setData(ByteBuffer.wrap(png(img))).build());
    }
    List<AudioChunkEvent> chunks = new ArrayList<>();
    for (float[] samples : s.voice()) {
      ByteBuffer data = ByteBuffer.allocate(samples.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : samples) {
        data.putFloat(v);
      }
      data.flip();
      chunks.add(AudioChunkEvent.newBuilder().setSessionId(id).setEventId(id + "-a" + chunks.size())
          .setTimestamp(Instant.ofEpochMilli(start + 1_000L * chunks.size())).setEncoding(AudioEncoding.FLOAT32_LE)
          .setSampleRate(SyntheticSession.SAMPLE_RATE).setChannels(1).setData(data).build());
    }
    return new Session(id, s.label(), windowStart, texts, frames, chunks);
  }

  public static void send(EventPublisher publisher, Session session) {
    session.texts().forEach(publisher::send);
    session.frames().forEach(publisher::send);
    session.chunks().forEach(publisher::send);
  }

  private static byte[] png(BufferedImage img) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
