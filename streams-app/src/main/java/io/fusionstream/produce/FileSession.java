package io.fusionstream.produce;

import io.fusionstream.schema.AudioChunkEvent;
import io.fusionstream.schema.AudioEncoding;
import io.fusionstream.schema.ImageEncoding;
import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.TextEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * Turns real files into one session's events: lines of text, a folder of frames, a WAV file cut
 * into chunks. Event times start at {@code start}: frames {@code 1/fps} apart, audio chunks one
 * chunk length apart, text lines {@code textIntervalMs} apart.
 */
public final class FileSession {
  private final String sessionId;
  private final Instant start;

  public FileSession(String sessionId, Instant start) {
    this.sessionId = sessionId;
    this.start = start;
  }

  public List<TextEvent> texts(BufferedReader lines, long textIntervalMs) throws IOException {
    List<TextEvent> out = new ArrayList<>();
    String line;
    while ((line = lines.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      out.add(TextEvent.newBuilder().setSessionId(sessionId).setEventId(UUID.randomUUID().toString())
          .setTimestamp(start.plusMillis(out.size() * textIntervalMs)).setText(line.strip())
          .setSource("chat").build());
    }
    return out;
  }

  /** JPEG and PNG files of the folder, in name order; the header gives width and height. */
  public List<ImageFrameEvent> frames(Path dir, double fps) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> encodingOf(p) != null).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("No .png, .jpg or .jpeg files in " + dir);
    }
    List<ImageFrameEvent> out = new ArrayList<>();
    for (Path f : files) {
      int[] size = headerSize(f);
      out.add(ImageFrameEvent.newBuilder().setSessionId(sessionId).setEventId(UUID.randomUUID().toString())
          .setTimestamp(start.plusMillis(Math.round(out.size() * 1000 / fps))).setEncoding(encodingOf(f))
          .setWidth(size[0]).setHeight(size[1]).setData(ByteBuffer.wrap(Files.readAllBytes(f))).build());
    }
    return out;
  }

  /** Cuts the WAV file into PCM_S16LE chunks of {@code chunkMs}, keeping its rate and channels. */
  public List<AudioChunkEvent> audio(Path wav, int chunkMs) throws IOException {
    try (AudioInputStream original = AudioSystem.getAudioInputStream(wav.toFile())) {
      AudioFormat f = original.getFormat();
      AudioFormat pcm = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, f.getSampleRate(), 16,
          f.getChannels(), f.getChannels() * 2, f.getSampleRate(), false);
      try (AudioInputStream in = AudioSystem.getAudioInputStream(pcm, original)) {
        int rate = Math.round(f.getSampleRate());
        int bytesPerChunk = Math.max(1, rate * chunkMs / 1000) * pcm.getFrameSize();
        List<AudioChunkEvent> out = new ArrayList<>();
        byte[] buf;
        while ((buf = readUpTo(in, bytesPerChunk)).length > 0) {
          out.add(AudioChunkEvent.newBuilder().setSessionId(sessionId).setEventId(UUID.randomUUID().toString())
              .setTimestamp(start.plusMillis((long) out.size() * chunkMs)).setEncoding(AudioEncoding.PCM_S16LE)
              .setSampleRate(rate).setChannels(f.getChannels()).setData(ByteBuffer.wrap(buf)).build());
        }
        return out;
      }
    } catch (UnsupportedAudioFileException e) {
      throw new IllegalArgumentException("Not a WAV file the JDK can read: " + wav + " (" + e.getMessage() + ")", e);
    }
  }

  private static byte[] readUpTo(InputStream in, int n) throws IOException {
    return in.readNBytes(n);
  }

  static ImageEncoding encodingOf(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".png")) {
      return ImageEncoding.PNG;
    }
    if (name.endsWith(".jpg") || name.endsWith(".jpeg")) {
      return ImageEncoding.JPEG;
    }
    return null;
  }

  private static int[] headerSize(Path f) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(f.toFile())) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw new IllegalArgumentException("Not a readable image: " + f);
      }
      ImageReader r = readers.next();
      try {
        r.setInput(in);
        return new int[] {r.getWidth(0), r.getHeight(0)};
      } finally {
        r.dispose();
      }
    }
  }
}
