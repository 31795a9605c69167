package io.fusionstream.fusion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The layout of a model directory: one sub-folder per version ({@code v0001}, {@code v0002}...),
 * each a complete saved model. Versions order naturally (v0010 after v0009). A version is
 * published by writing it under a hidden temporary name and renaming it, so a watcher never sees
 * half a model.
 */
public final class ModelVersions {
  private static final Pattern NUMBER = Pattern.compile("(\\d+)");

  /** Natural order: digit runs compare as numbers, the rest as text. */
  public static final Comparator<String> NATURAL = ModelVersions::compareNatural;

  private ModelVersions() {}

  /** Complete version folders under {@code root}, oldest first. */
  public static List<Path> list(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<Path> versions = new ArrayList<>();
    try (Stream<Path> children = Files.list(root)) {
      children
          .filter(Files::isDirectory)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(p -> Files.isRegularFile(p.resolve(ModelDescription.FILE)))
          .forEach(versions::add);
    }
    versions.sort(Comparator.comparing(p -> p.getFileName().toString(), NATURAL));
    return versions;
  }

  public static Optional<Path> newest(Path root) throws IOException {
    List<Path> all = list(root);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** The name after the newest existing version: v0001 in an empty directory. */
  public static String next(Path root) throws IOException {
    int highest = 0;
    for (Path p : list(root)) {
      Matcher m = NUMBER.matcher(p.getFileName().toString());
      int last = 0;
      while (m.find()) {
        last = Integer.parseInt(m.group(1));
      }
      highest = Math.max(highest, last);
    }
    return String.format("v%04d", highest + 1);
  }

  /** Writes a model into a new version folder; returns it. */
  public static Path publish(Path root, String version, ModelWriter writer) throws IOException {
    Files.createDirectories(root);
    Path target = root.resolve(version);
    if (Files.exists(target)) {
      throw new IOException("model version " + target + " already exists");
    }
    Path staging = Files.createTempDirectory(root, "." + version + "-");
    try {
      writer.write(staging);
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (IOException | RuntimeException e) {
      deleteQuietly(staging);
      throw e;
    }
  }

  /** Writes one complete model into an empty directory. */
  @FunctionalInterface
  public interface ModelWriter {
    void write(Path dir) throws IOException;
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException ignored) {
      // a stale hidden staging folder is skipped by list() anyway
    }
  }

  private static int compareNatural(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char ca = a.charAt(i);
      char cb = b.charAt(j);
      if (Character.isDigit(ca) && Character.isDigit(cb)) {
        int si = i;
        int sj = j;
        while (i < a.length() && Character.isDigit(a.charAt(i))) {
          i++;
        }
        while (j < b.length() && Character.isDigit(b.charAt(j))) {
          j++;
        }
        int c = new java.math.BigInteger(a.substring(si, i)).compareTo(new java.math.BigInteger(b.substring(sj, j)));
        if (c != 0) {
          return c;
        }
      } else {
        if (ca != cb) {
          return Character.compare(ca, cb);
        }
        i++;
        j++;
      }
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
