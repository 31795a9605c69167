package io.fusionstream.fusion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A JSONL training manifest: the file, its folder (paths resolve against it) and its lines. */
public record Manifest(Path file, List<ManifestEntry> entries) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public Manifest {
    entries = List.copyOf(entries);
  }

  public static Manifest read(Path file) throws IOException {
    List<ManifestEntry> entries = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty()) {
        continue;
      }
      try {
        entries.add(JSON.readValue(line, ManifestEntry.class));
      } catch (JsonProcessingException | IllegalArgumentException e) {
        throw new IOException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    if (entries.isEmpty()) {
      throw new IOException(file + " has no sessions");
    }
    return new Manifest(file, entries);
  }

  public static void write(Path file, List<ManifestEntry> entries) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (ManifestEntry e : entries) {
        out.write(JSON.writeValueAsString(e));
        out.newLine();
      }
    }
  }

  public Path folder() {
    Path parent = file.toAbsolutePath().getParent();
    return parent == null ? Path.of(".") : parent;
  }

  public Path resolve(String path) {
    return folder().resolve(path).normalize();
  }

  /** Labels in order of first appearance, unless the caller fixes the order. */
  public List<String> labels() {
    Set<String> labels = new LinkedHashSet<>();
    entries.forEach(e -> labels.add(e.label()));
    return List.copyOf(labels);
  }
}
