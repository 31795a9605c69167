package io.fusionstream.encode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionstream.encode.OutputSpec.Pooling;
import io.fusionstream.schema.Modality;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A model in a model directory, described by its {@code model.json}: which engine runs which file,
 * how inputs are prepared and which output is the embedding. Paths are relative to the directory.
 * See docs/encoders.md for the format and examples.
 *
 * @param image the image preprocessing; null unless modality is IMAGE
 * @param audio the audio preprocessing; null unless modality is AUDIO
 * @param tokenizer tokenizer.json; null unless modality is TEXT
 * @param inputName the model input to feed (image and audio); null: by position
 * @param dimension the embedding size if the spec states it, else 0 (measured at load)
 */
public record ModelSpec(
    Path directory,
    Modality modality,
    String engine,
    Path modelFile,
    Path tokenizer,
    int maxSequenceLength,
    ImageSpec image,
    AudioSpec audio,
    String inputName,
    OutputSpec output,
    int dimension) {

  public static final String FILE_NAME = "model.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A directory with model.json, or a directory holding a HuggingFace-style text model. */
  public static ModelSpec read(Path directory, Modality expected, Pooling defaultTextPooling) {
    Path file = directory.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      if (expected == Modality.TEXT && Files.isRegularFile(directory.resolve("model.onnx"))) {
        return huggingFaceText(directory, directory.resolve("model.onnx"), defaultTextPooling);
      }
      Path onnx = expected == Modality.TEXT ? onlyOnnxFile(directory) : null;
      if (onnx != null) {
        // DJL's Hugging Face zoo names the file after the model (all-MiniLM-L6-v2.onnx)
        return huggingFaceText(directory, onnx, defaultTextPooling);
      }
      throw new IllegalArgumentException(
          "no " + FILE_NAME + " in " + directory.toAbsolutePath() + " (see docs/encoders.md)");
    }
    try {
      return parse(directory, JSON.readTree(file.toFile()), expected, defaultTextPooling);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static Path onlyOnnxFile(Path directory) {
    if (!Files.isDirectory(directory)) {
      return null;
    }
    try (var files = Files.list(directory)) {
      var onnx = files.filter(f -> f.getFileName().toString().endsWith(".onnx")).limit(2).toList();
      return onnx.size() == 1 ? onnx.get(0) : null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + directory, e);
    }
  }

  /** An ONNX file + tokenizer.json, pooling from the setting: the usual HF ONNX export layout. */
  static ModelSpec huggingFaceText(Path directory, Path onnx, Pooling pooling) {
    return new ModelSpec(
        directory, Modality.TEXT, "OnnxRuntime", onnx,
        existing(directory.resolve("tokenizer.json")), 0, null, null, null,
        new OutputSpec(null, pooling, true), 0);
  }

  static ModelSpec parse(Path dir, JsonNode root, Modality expected, Pooling defaultTextPooling) {
    Modality modality = Modality.valueOf(text(root, "modality", expected.name()).toUpperCase(Locale.ROOT));
    if (modality != expected) {
      throw new IllegalArgumentException(
          dir + " describes a " + modality + " model, configured as the " + expected + " model");
    }
    String engine = text(root, "engine", "OnnxRuntime");
    if (!engine.equals("OnnxRuntime") && !engine.equals("PyTorch")) {
      throw new IllegalArgumentException("engine must be OnnxRuntime or PyTorch (TorchScript): " + engine);
    }
    Path model = existing(inside(dir, required(root, "model"), "model"));
    JsonNode input = root.path("input");
    JsonNode out = root.path("output");
    Pooling defaultPooling = modality == Modality.TEXT ? defaultTextPooling : Pooling.NONE;
    OutputSpec output =
        new OutputSpec(
            out.hasNonNull("name") ? out.get("name").asText() : null,
            Pooling.parse(text(out, "pooling", defaultPooling.name())),
            out.path("normalize").asBoolean(modality == Modality.TEXT));
    String inputName = input.hasNonNull("name") ? input.get("name").asText() : null;
    int dimension = root.path("dimension").asInt(0);
    return switch (modality) {
      case TEXT -> new ModelSpec(
          dir, modality, engine, model, existing(inside(dir, text(root, "tokenizer", "tokenizer.json"), "tokenizer")),
          root.path("maxSequenceLength").asInt(0), null, null, null, output, dimension);
      case IMAGE -> new ModelSpec(
          dir, modality, engine, model, null, 0, imageSpec(input), null, inputName, output, dimension);
      case AUDIO -> new ModelSpec(
          dir, modality, engine, model, null, 0, null, audioSpec(input), inputName, output, dimension);
    };
  }

  private static ImageSpec imageSpec(JsonNode input) {
    return new ImageSpec(
        input.path("width").asInt(224),
        input.path("height").asInt(224),
        triple(input.get("mean"), ImageSpec.IMAGENET_MEAN),
        triple(input.get("std"), ImageSpec.IMAGENET_STD),
        ImageSpec.ChannelOrder.valueOf(text(input, "channels", "RGB").toUpperCase(Locale.ROOT)),
        ImageSpec.Layout.valueOf(text(input, "layout", "NCHW").toUpperCase(Locale.ROOT)),
        ImageSpec.Resize.valueOf(
            text(input, "resize", "stretch").toUpperCase(Locale.ROOT).replace('-', '_')));
  }

  private static AudioSpec audioSpec(JsonNode input) {
    AudioSpec d = AudioSpec.defaults();
    int rate = input.path("sampleRate").asInt(d.sampleRate());
    return new AudioSpec(
        rate,
        input.path("fftSize").asInt(d.fftSize()),
        input.path("hop").asInt(d.hop()),
        input.path("melBands").asInt(d.melBands()),
        input.path("minHz").asDouble(0),
        input.path("maxHz").asDouble(rate / 2.0),
        AudioSpec.Input.valueOf(
            text(input, "type", "waveform").toUpperCase(Locale.ROOT).replace('-', '_')));
  }

  private static float[] triple(JsonNode node, float[] fallback) {
    if (node == null || node.isNull()) {
      return fallback.clone();
    }
    if (!node.isArray() || node.size() != 3) {
      throw new IllegalArgumentException("mean and std need 3 numbers, got " + node);
    }
    return new float[] {(float) node.get(0).asDouble(), (float) node.get(1).asDouble(), (float) node.get(2).asDouble()};
  }

  private static String text(JsonNode node, String field, String fallback) {
    return node.hasNonNull(field) ? node.get(field).asText() : fallback;
  }

  private static String required(JsonNode node, String field) {
    if (!node.hasNonNull(field)) {
      throw new IllegalArgumentException(FILE_NAME + " needs a \"" + field + "\" field");
    }
    return node.get(field).asText();
  }

  /**
   * {@code relative} resolved in the model directory, refused when it leads outside it (an absolute
   * path, {@code ../}, or a symbolic link pointing out): a model directory is what an operator
   * reviewed and mounted read-only, and a TorchScript model is code.
   */
  static Path inside(Path dir, String relative, String field) {
    Path base = dir.toAbsolutePath().normalize();
    Path given = Path.of(relative);
    Path resolved = base.resolve(given).normalize();
    if (given.isAbsolute() || !resolved.startsWith(base) || resolved.equals(base)) {
      throw new IllegalArgumentException(FILE_NAME + " field '" + field + "' must name a file inside "
          + base + ", not " + relative);
    }
    if (Files.exists(resolved)) {
      try {
        if (!resolved.toRealPath().startsWith(base.toRealPath())) {
          throw new IllegalArgumentException(FILE_NAME + " field '" + field + "' (" + relative
              + ") is a link leading outside " + base);
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("Cannot resolve " + resolved, e);
      }
    }
    return resolved;
  }

  private static Path existing(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("model file not found: " + path.toAbsolutePath());
    }
    return path;
  }

  /**
   * Whether model.json says {@code "pretrained": false}, as tools/export_encoder.py writes for seeded
   * random weights: such a model runs, but its embeddings carry no meaning.
   */
  public boolean declaredRandom() {
    Path file = directory.resolve(FILE_NAME);
    try {
      return Files.isRegularFile(file) && JSON.readTree(file.toFile()).path("pretrained").isBoolean()
          && !JSON.readTree(file.toFile()).path("pretrained").asBoolean();
    } catch (IOException e) {
      return false;
    }
  }

  /** Identifies the model in logs and outputs: directory name and file name. */
  public String modelId() {
    Path name = directory.toAbsolutePath().normalize().getFileName();
    return (name == null ? "model" : name.toString()) + "/" + modelFile.getFileName();
  }
}
