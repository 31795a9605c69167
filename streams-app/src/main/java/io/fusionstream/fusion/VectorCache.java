package io.fusionstream.fusion;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encoder outputs kept on disk, one binary file per encoder model id, so a second epoch, a second
 * strategy or a second run never encodes the same input twice. Keys name the input: a file's path
 * with its size and modification time (an edited file is encoded again), or a text itself.
 */
public final class VectorCache {
  private static final Logger LOG = LoggerFactory.getLogger(VectorCache.class);
  private static final int MAGIC = 0x46535643; // "FSVC"

  private final Path file;
  private final Map<String, float[]> vectors = new HashMap<>();
  private boolean dirty;

  private VectorCache(Path file) {
    this.file = file;
  }

  /** The cache of encoder {@code modelId} in {@code folder}; an unreadable file starts empty. */
  public static VectorCache open(Path folder, String modelId) throws IOException {
    Files.createDirectories(folder);
    VectorCache cache = new VectorCache(folder.resolve(modelId.replaceAll("[^A-Za-z0-9._-]", "_") + ".vec"));
    if (Files.isRegularFile(cache.file)) {
      try (DataInputStream in =
          new DataInputStream(new BufferedInputStream(Files.newInputStream(cache.file)))) {
        if (in.readInt() != MAGIC) {
          throw new IOException("not a vector cache");
        }
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
          String key = in.readUTF();
          float[] v = new float[in.readInt()];
          for (int k = 0; k < v.length; k++) {
            v[k] = in.readFloat();
          }
          cache.vectors.put(key, v);
        }
      } catch (IOException e) {
        LOG.warn("ignoring unreadable vector cache {}: {}", cache.file, e.getMessage());
        cache.vectors.clear();
      }
    }
    return cache;
  }

  public static String fileKey(Path file) throws IOException {
    return "file:" + file.toAbsolutePath().normalize() + "|" + Files.size(file) + "|"
        + Files.getLastModifiedTime(file).toMillis();
  }

  public static String textKey(String text) {
    return "text:" + text;
  }

  public float[] get(String key) {
    return vectors.get(key);
  }

  public void put(String key, float[] vector) {
    vectors.put(key, vector);
    dirty = true;
  }

  public int size() {
    return vectors.size();
  }

  /** Writes the cache if it changed (to a temporary file, then renamed over the old one). */
  public void save() throws IOException {
    if (!dirty) {
      return;
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
      out.writeInt(MAGIC);
      out.writeInt(vectors.size());
      for (Map.Entry<String, float[]> e : vectors.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeInt(e.getValue().length);
        for (float f : e.getValue()) {
          out.writeFloat(f);
        }
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    dirty = false;
  }
}
