package io.fusionstream.fusion.synth;

import io.fusionstream.fusion.Manifest;
import io.fusionstream.fusion.ManifestEntry;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/**
 * Writes a reproducible multimodal dataset: per session 1-2 utterances, 1-2 face frames (PNG) and
 * 1-2 voice chunks (16 kHz mono WAV), plus manifest.jsonl. Each session draws an {@link Affect};
 * 30% of the sessions have degraded frames, a fifth degraded audio and some a garbled
 * transcript, so a model must learn when to trust which modality. The same seed and size give the same files.
 */
public final class SyntheticDataset {
  public static final String MANIFEST = "manifest.jsonl";
  public static final List<String> LABELS = List.of(Affect.POSITIVE, Affect.NEUTRAL, Affect.NEGATIVE);
  static final double DEGRADED_IMAGE = 0.3;
  static final double DEGRADED_AUDIO = 0.2;
  static final double DEGRADED_TEXT = 0.15;

  private SyntheticDataset() {}

  /** Generates {@code sessions} sessions into {@code out}; returns the manifest path. */
  public static Path generate(Path out, int sessions, long seed) throws IOException {
    return generate(out, sessions, seed, false);
  }

  /**
   * Like {@link #generate(Path, int, long)}; with {@code stories}, each session instead gets one
   * known story ({@link StoriedSession}: 40% clean, 20% one modality noise, 20% one missing, 20%
   * one contradicting where a contradiction can show), recorded in its manifest line's meta.
   */
  public static Path generate(Path out, int sessions, long seed, boolean stories) throws IOException {
    if (sessions < 1) {
      throw new IllegalArgumentException("sessions must be positive: " + sessions);
    }
    Files.createDirectories(out.resolve("images"));
    Files.createDirectories(out.resolve("audio"));
    Files.createDirectories(out.resolve("texts"));
    List<ManifestEntry> entries = new ArrayList<>(sessions);
    for (int s = 0; s < sessions; s++) {
      // one generator per session: a session's content does not depend on the others
      Random random = new Random(seed * 1_000_003L + s);
      String id = String.format("s%05d", s);
      if (stories) {
        StoriedSession storied = StoriedSession.sample(random);
        entries.add(session(out, id, storied.session(), storied.story().toMeta()));
      } else {
        entries.add(session(out, id, SyntheticSession.sample(random), Map.of()));
      }
    }
    Path manifest = out.resolve(MANIFEST);
    Manifest.write(manifest, entries);
    return manifest;
  }

  private static ManifestEntry session(Path out, String id, SyntheticSession session,
      Map<String, Object> story) throws IOException {
    Affect affect = session.affect();
    boolean badImage = session.imageDegraded();
    boolean badAudio = session.audioDegraded();
    boolean badText = session.textDegraded();
    List<String> texts = session.texts();
    if (!texts.isEmpty()) {
      Files.writeString(out.resolve("texts").resolve(id + ".txt"), String.join("\n", texts) + "\n");
    }
    List<String> images = new ArrayList<>();
    for (BufferedImage frame : session.frames()) {
      String path = "images/" + id + "-" + images.size() + ".png";
      writePng(out.resolve(path), frame);
      images.add(path);
    }
    List<String> audio = new ArrayList<>();
    for (float[] chunk : session.voice()) {
      String path = "audio/" + id + "-" + audio.size() + ".wav";
      writeWav(out.resolve(path), chunk);
      audio.add(path);
    }
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("valence", affect.valenceSign() * affect.valenceStrength());
    meta.put("arousal", affect.arousal());
    meta.put("text_degraded", badText);
    meta.put("image_degraded", badImage);
    meta.put("audio_degraded", badAudio);
    meta.putAll(story);
    return new ManifestEntry(id, affect.label(), texts, images, audio, meta);
  }

  /**
   * Writes {@code count} sessions whose every input is noise (a garbled transcript, a random-pixel
   * frame, a white-noise chunk), all labelled {@code label}: what training replaces modalities
   * with to learn what a broken sensor looks like. Returns the manifest path.
   */
  public static Path generateNoise(Path out, int count, long seed, String label) throws IOException {
    Files.createDirectories(out.resolve("images"));
    Files.createDirectories(out.resolve("audio"));
    List<ManifestEntry> entries = new ArrayList<>(count);
    for (int s = 0; s < count; s++) {
      Random random = new Random(seed * 1_000_003L + s);
      String id = String.format("noise%04d", s);
      String image = "images/" + id + ".png";
      String audio = "audio/" + id + ".wav";
      writePng(out.resolve(image), SyntheticFace.noise(random));
      writeWav(out.resolve(audio), SyntheticVoice.noise(random));
      entries.add(new ManifestEntry(id, label, List.of(SyntheticText.garbled(random)), List.of(image),
          List.of(audio), Map.of()));
    }
    Path manifest = out.resolve(MANIFEST);
    Manifest.write(manifest, entries);
    return manifest;
  }

  /** A pure-noise frame, to test how the fusion treats a broken camera. */
  public static void writeNoiseImage(Path file, long seed) throws IOException {
    writePng(file, SyntheticFace.noise(new Random(seed)));
  }

  /** A garbled transcript, to test how the fusion treats a broken speech-to-text. */
  public static String noiseText(long seed) {
    return SyntheticText.garbled(new Random(seed));
  }

  /** A pure-noise chunk, to test how the fusion treats a broken microphone. */
  public static void writeNoiseAudio(Path file, long seed) throws IOException {
    writeWav(file, SyntheticVoice.noise(new Random(seed)));
  }

  static void writePng(Path file, BufferedImage image) throws IOException {
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("no PNG writer available for " + file);
    }
  }

  static void writeWav(Path file, float[] samples) throws IOException {
    ByteBuffer pcm = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float s : samples) {
      pcm.putShort((short) Math.round(Math.max(-1f, Math.min(1f, s)) * 32767f));
    }
    AudioFormat format = new AudioFormat(SyntheticVoice.SAMPLE_RATE, 16, 1, true, false);
    try (AudioInputStream stream =
        new AudioInputStream(new ByteArrayInputStream(pcm.array()), format, samples.length)) {
      AudioSystem.write(stream, AudioFileFormat.Type.WAVE, file.toFile());
    }
  }

}
