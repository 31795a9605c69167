package io.fusionstream.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Reads the deployment files of the repository (compose, Kubernetes, monitoring) for the tests. */
final class DeployFiles {

  private DeployFiles() {}

  /** Surefire runs with streams-app/ as the working directory; an IDE may use the repository root. */
  static Path repoRoot() {
    for (Path candidate : List.of(Path.of(".."), Path.of("."))) {
      Path root = candidate.toAbsolutePath().normalize();
      if (Files.isRegularFile(root.resolve("docker-compose.yml")) && Files.isDirectory(root.resolve("deploy"))) {
        return root;
      }
    }
    throw new IllegalStateException("repository root with docker-compose.yml and deploy/ not found from "
        + Path.of("").toAbsolutePath());
  }

  static Path file(String relative) {
    return repoRoot().resolve(relative);
  }

  static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** Every YAML document of a file; a duplicate key fails instead of silently winning. */
  static List<Object> yamlDocuments(Path path) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Yaml yaml = new Yaml(new SafeConstructor(options));
    List<Object> documents = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(path)) {
      for (Object document : yaml.loadAll(reader)) {
        documents.add(document);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    } catch (RuntimeException e) {
      throw new IllegalStateException("invalid YAML in " + path + ": " + e.getMessage(), e);
    }
    return documents;
  }

  static Map<String, Object> yamlMap(Path path) {
    List<Object> documents = yamlDocuments(path);
    if (documents.size() != 1 || !(documents.get(0) instanceof Map)) {
      throw new IllegalStateException(path + " must hold exactly one YAML mapping");
    }
    return map(documents.get(0), path.toString());
  }

  static Map<String, Object> yamlMap(String text, String what) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    return map(new Yaml(new SafeConstructor(options)).load(text), what);
  }

  static Properties properties(String text, String what) {
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(text));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse properties of " + what, e);
    }
    return properties;
  }

  /** All *.yaml and *.yml files below a folder, in a stable order. */
  static List<Path> yamlFilesUnder(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().matches(".*\\.ya?ml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    }
  }

  /** Follows a dotted path of mapping keys ("spec.template.metadata.labels"); null where absent. */
  static Object at(Object node, String dottedPath) {
    Object current = node;
    for (String key : dottedPath.split("\\.")) {
      if (!(current instanceof Map<?, ?> m)) {
        return null;
      }
      current = m.get(key);
    }
    return current;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node, String what) {
    if (!(node instanceof Map)) {
      throw new AssertionError(what + " is not a mapping but " + node);
    }
    return (Map<String, Object>) node;
  }

  static Map<String, Object> mapAt(Object node, String dottedPath) {
    return map(at(node, dottedPath), dottedPath);
  }

  @SuppressWarnings("unchecked")
  static List<Object> listAt(Object node, String dottedPath) {
    Object value = at(node, dottedPath);
    if (!(value instanceof List)) {
      throw new AssertionError(dottedPath + " is not a list but " + value);
    }
    return (List<Object>) value;
  }

  static List<Map<String, Object>> mapsAt(Object node, String dottedPath) {
    return listAt(node, dottedPath).stream().map(item -> map(item, dottedPath + "[]")).toList();
  }

  static String stringAt(Object node, String dottedPath) {
    Object value = at(node, dottedPath);
    return value == null ? null : String.valueOf(value);
  }
}
