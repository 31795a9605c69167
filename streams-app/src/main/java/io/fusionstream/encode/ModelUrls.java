package io.fusionstream.encode;

import ai.djl.repository.Artifact;
import ai.djl.repository.MRL;
import ai.djl.repository.Repository;
import ai.djl.util.Utils;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Models named by URL in {@code fusion.encoder.*.model}. {@code file://} is a local path. Any other
 * scheme DJL's repositories know ({@code djl://} for the DJL model zoo, {@code https://},
 * {@code s3://}, ...) is fetched into DJL's cache the first time, and only then: a download happens
 * only because the user named a remote model, and never while {@code ai.djl.offline=true} (the
 * launcher's default), which is why that case fails with the way to opt out.
 */
final class ModelUrls {
  private static final Pattern URL = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");

  private ModelUrls() {}

  static boolean isUrl(String value) {
    return value != null && URL.matcher(value.trim()).matches();
  }

  static boolean isFile(String value) {
    return value.trim().toLowerCase(Locale.ROOT).startsWith("file:");
  }

  /** The local directory (or model.json) a URL names, fetching a remote model into the cache. */
  static Path resolve(String url) {
    String value = url.trim();
    if (isFile(value)) {
      return Path.of(URI.create(value));
    }
    try {
      Repository repository = Repository.newInstance("fusion-model", value);
      List<MRL> resources = repository.getResources();
      if (resources.isEmpty()) {
        throw new IllegalArgumentException("no model found at " + value);
      }
      MRL mrl = resources.get(0);
      Artifact artifact = mrl.getDefaultArtifact();
      if (artifact == null) {
        throw new IllegalArgumentException("no model artifact at " + value);
      }
      mrl.prepare(artifact);
      return repository.getResourceDirectory(artifact);
    } catch (IOException | RuntimeException e) {
      // e.g. "ModelZoo not found in classpath": djl:// needs the zoo's jar (the ONNX Runtime and
      // Hugging Face zoos ship with the engines here; DJL's PyTorch zoo does not)
      String hint = Utils.isOfflineMode()
          ? " (downloads are off: ai.djl.offline=true; run with FUSION_DJL_OFFLINE=false, or"
              + " -Dai.djl.offline=false, to let DJL fetch it once into its cache)"
          : "";
      throw new EncodeException("cannot fetch model " + value + hint + ": " + e.getMessage(), e);
    }
  }
}
