package io.fusionstream.fusion;

import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.decode.DecodedImage;
import io.fusionstream.encode.Encoder;
import io.fusionstream.decode.InvalidInputException;
import io.fusionstream.schema.Modality;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes every text, frame and chunk of a manifest once (cached per encoder in the dataset's
 * {@code .fusion-cache} folder), pools each window's vectors per modality with {@link ModalityPooling},
 * and returns labelled windows. An input that fails to decode is skipped with a warning; a
 * modality none of whose inputs decode is absent from that window.
 */
public final class DatasetEncoder {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetEncoder.class);
  public static final String CACHE_FOLDER = ".fusion-cache";
  private static final int BATCH = 32;

  /** Reads one media file into what the modality's encoder takes. */
  @FunctionalInterface
  public interface FileReader<I> {
    I read(Path file) throws IOException, InvalidInputException;
  }

  private final Encoder<String> text;
  private final Encoder<DecodedImage> image;
  private final Encoder<DecodedAudio> audio;
  private final FileReader<DecodedImage> imageReader;
  private final FileReader<DecodedAudio> audioReader;
  private final PrintStream progress;

  public DatasetEncoder(
      Encoder<String> text,
      Encoder<DecodedImage> image,
      Encoder<DecodedAudio> audio,
      FileReader<DecodedImage> imageReader,
      FileReader<DecodedAudio> audioReader,
      PrintStream progress) {
    this.text = text;
    this.image = image;
    this.audio = audio;
    this.imageReader = imageReader;
    this.audioReader = audioReader;
    this.progress = progress;
  }

  /** Reads files as the stream does (same decoders and limits) and encodes with {@code encoders}. */
  public static DatasetEncoder of(io.fusionstream.encode.Encoders encoders, PrintStream progress) {
    io.fusionstream.decode.Limits limits = io.fusionstream.decode.Limits.defaults();
    return new DatasetEncoder(
        encoders.text(),
        encoders.image(),
        encoders.audio(),
        file -> io.fusionstream.decode.MediaFiles.readImage(file, limits),
        file -> io.fusionstream.decode.MediaFiles.readWav(file, encoders.audioSampleRate(), limits),
        progress);
  }

  /** @param labels the label order of the model; null to take the manifest's order */
  public EncodedDataset encode(Manifest manifest, List<String> labels) throws IOException {
    List<String> order = labels == null ? manifest.labels() : List.copyOf(labels);
    Path cacheFolder = manifest.folder().resolve(CACHE_FOLDER);
    List<ManifestEntry> entries = manifest.entries();

    List<List<String>> textKeys = new ArrayList<>();
    Map<String, String> texts = new LinkedHashMap<>();
    List<List<String>> imageKeys = new ArrayList<>();
    Map<String, Path> images = new LinkedHashMap<>();
    List<List<String>> audioKeys = new ArrayList<>();
    Map<String, Path> audios = new LinkedHashMap<>();
    for (ManifestEntry e : entries) {
      List<String> t = new ArrayList<>();
      for (String s : e.texts()) {
        String key = VectorCache.textKey(s);
        texts.put(key, s);
        t.add(key);
      }
      textKeys.add(t);
      imageKeys.add(fileKeys(manifest, e.images(), images));
      audioKeys.add(fileKeys(manifest, e.audio(), audios));
    }

    Map<String, float[]> vectors = new java.util.HashMap<>();
    vectors.putAll(encodeAll(text, cacheFolder, texts.keySet(), texts::get));
    vectors.putAll(
        encodeAll(image, cacheFolder, images.keySet(), k -> imageReader.read(images.get(k))));
    vectors.putAll(
        encodeAll(audio, cacheFolder, audios.keySet(), k -> audioReader.read(audios.get(k))));

    List<LabeledWindow> windows = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      ManifestEntry e = entries.get(i);
      int label = order.indexOf(e.label());
      if (label < 0) {
        throw new IOException("session " + e.sessionId() + " has label '" + e.label()
            + "', not one of " + order);
      }
      Map<Modality, float[]> pooled = new EnumMap<>(Modality.class);
      pool(pooled, Modality.TEXT, textKeys.get(i), vectors);
      pool(pooled, Modality.IMAGE, imageKeys.get(i), vectors);
      pool(pooled, Modality.AUDIO, audioKeys.get(i), vectors);
      if (pooled.isEmpty()) {
        LOG.warn("session {} has no usable input, left out", e.sessionId());
        continue;
      }
      windows.add(new LabeledWindow(e.sessionId(), label, new FusionInput(pooled)));
    }
    Map<Modality, Integer> dims = new EnumMap<>(Modality.class);
    dims.put(Modality.TEXT, text.dimension());
    dims.put(Modality.IMAGE, image.dimension());
    dims.put(Modality.AUDIO, audio.dimension());
    Map<Modality, String> ids = new EnumMap<>(Modality.class);
    ids.put(Modality.TEXT, text.modelId());
    ids.put(Modality.IMAGE, image.modelId());
    ids.put(Modality.AUDIO, audio.modelId());
    return new EncodedDataset(order, List.copyOf(windows), Map.copyOf(dims), Map.copyOf(ids));
  }

  private static List<String> fileKeys(Manifest manifest, List<String> paths, Map<String, Path> all)
      throws IOException {
    List<String> keys = new ArrayList<>();
    for (String p : paths) {
      Path file = manifest.resolve(p);
      String key;
      try {
        key = VectorCache.fileKey(file);
      } catch (IOException e) {
        throw new IOException("cannot read " + file + " listed in " + manifest.file(), e);
      }
      all.put(key, file);
      keys.add(key);
    }
    return keys;
  }

  private static void pool(
      Map<Modality, float[]> pooled, Modality m, List<String> keys, Map<String, float[]> vectors) {
    List<float[]> found = new ArrayList<>();
    for (String k : keys) {
      float[] v = vectors.get(k);
      if (v != null) {
        found.add(v);
      }
    }
    if (!found.isEmpty()) {
      pooled.put(m, ModalityPooling.mean(found));
    }
  }

  /** Loads the input a cache key names. */
  @FunctionalInterface
  private interface Source<I> {
    I load(String key) throws IOException, InvalidInputException;
  }

  private <I> Map<String, float[]> encodeAll(
      Encoder<I> encoder, Path cacheFolder, java.util.Collection<String> keys, Source<I> source)
      throws IOException {
    VectorCache cache = VectorCache.open(cacheFolder, encoder.modelId());
    Map<String, float[]> out = new java.util.HashMap<>();
    List<String> pendingKeys = new ArrayList<>();
    List<I> pending = new ArrayList<>();
    int encoded = 0;
    int skipped = 0;
    for (String key : keys) {
      float[] cached = cache.get(key);
      if (cached != null && cached.length == encoder.dimension()) {
        out.put(key, cached);
        continue;
      }
      try {
        pending.add(source.load(key));
        pendingKeys.add(key);
      } catch (InvalidInputException e) {
        skipped++;
        LOG.warn("skipping {} input {}: {} ({})", encoder.modality(), key, e.getMessage(), e.reason());
        continue;
      }
      if (pending.size() == BATCH) {
        encoded += flush(encoder, cache, pendingKeys, pending, out);
      }
    }
    encoded += flush(encoder, cache, pendingKeys, pending, out);
    cache.save();
    if (progress != null) {
      progress.printf(
          "%s: %d inputs, %d encoded now, %d from cache, %d skipped (%s)%n",
          encoder.modality().name().toLowerCase(java.util.Locale.ROOT), keys.size(), encoded,
          out.size() - encoded, skipped, encoder.modelId());
    }
    return out;
  }

  private static <I> int flush(
      Encoder<I> encoder, VectorCache cache, List<String> keys, List<I> inputs,
      Map<String, float[]> out) {
    if (inputs.isEmpty()) {
      return 0;
    }
    float[][] vectors = encoder.encode(inputs);
    for (int i = 0; i < keys.size(); i++) {
      cache.put(keys.get(i), vectors[i]);
      out.put(keys.get(i), vectors[i]);
    }
    int n = inputs.size();
    keys.clear();
    inputs.clear();
    return n;
  }
}
