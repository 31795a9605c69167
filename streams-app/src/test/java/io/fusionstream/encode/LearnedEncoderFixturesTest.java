package io.fusionstream.encode;

import io.fusionstream.decode.AudioDecoder;
import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.decode.DecodedImage;
import io.fusionstream.decode.ImageDecoder;
import io.fusionstream.decode.Limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fusionstream.schema.AudioEncoding;
import io.fusionstream.schema.ImageEncoding;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committed encoder fixtures (made by tools/export_encoder.py: real architectures, random
 * weights, reduced size) loaded through the real {@link EncoderFactory}, fed with golden inputs
 * decoded by the pipeline's own decoders, and compared with the embeddings PyTorch computed for the
 * same files. The Python side prepares inputs independently (torch's antialiased resize, torch.stft
 * and its own mel filterbank), so a preprocessing mismatch between model.json and the pipeline
 * (channel order, normalisation, crop, sample rate, spectrogram) moves the outputs far past the
 * tolerance; the mismatch tests below prove that it does.
 */
public class LearnedEncoderFixturesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  // The TorchScript fixtures lie in target/test-classes, which the build (and so this process) can
  // write: the check that refuses such a model is TorchScriptWritableTest's subject, not this class's.
  private static final EncoderSettings CPU =
      EncoderSettings.defaults().withDevice("cpu").withTorchScriptAllowWritable(true);
  private static final Limits LIMITS = Limits.defaults();
  private static final String EXPORTED_MODELS = "fusion.test.exported.models";

  /**
   * Worst element-wise difference allowed, relative to the golden vector's largest magnitude. The
   * resize (Java's triangle filter vs torch's antialias kernel) and ONNX Runtime vs PyTorch
   * arithmetic differ in the last bits; a wrong channel order or normalisation is off by tens of
   * percent.
   */
  private static final double RELATIVE_TOLERANCE = 0.02;

  /** Cosine similarity a faithful pipeline keeps with the golden vector. */
  private static final double MIN_COSINE = 0.999;

  public static Path fixture(String name) {
    try {
      return Path.of(LearnedEncoderFixturesTest.class.getResource("/encoders/" + name + "/model.json").toURI())
          .getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  record Golden(List<Path> files, float[][] embeddings) {
    static Golden of(Path dir) throws IOException {
      JsonNode inputs = JSON.readTree(dir.resolve("golden.json").toFile()).get("inputs");
      List<Path> files = new ArrayList<>();
      float[][] embeddings = new float[inputs.size()][];
      for (int i = 0; i < inputs.size(); i++) {
        files.add(dir.resolve(inputs.get(i).get("file").asText()));
        JsonNode v = inputs.get(i).get("embedding");
        embeddings[i] = new float[v.size()];
        for (int d = 0; d < v.size(); d++) {
          embeddings[i][d] = (float) v.get(d).asDouble();
        }
      }
      return new Golden(files, embeddings);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"image-onnx", "image-torchscript"})
  void imageFixtureMatchesPyTorch(String name) throws Exception {
    Path dir = fixture(name);
    Golden golden = Golden.of(dir);
    JsonNode spec = JSON.readTree(dir.resolve("model.json").toFile());
    assertThat(spec.get("pretrained").asBoolean()).as("fixtures carry random weights").isFalse();
    try (DjlEncoder<DecodedImage> encoder = EncoderFactory.image(CPU.withImageModel(dir.toString()))) {
      List<DecodedImage> images = decodeImages(golden.files(), EncoderFactory.imageSpec(CPU.withImageModel(dir.toString())));
      checkAgainstGolden(encoder, images, golden, spec.get("dimension").asInt());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"audio-onnx", "audio-torchscript"})
  void audioFixtureMatchesPyTorch(String name) throws Exception {
    Path dir = fixture(name);
    Golden golden = Golden.of(dir);
    JsonNode spec = JSON.readTree(dir.resolve("model.json").toFile());
    assertThat(spec.get("pretrained").asBoolean()).isFalse();
    EncoderSettings settings = CPU.withAudioModel(dir.toString());
    try (DjlEncoder<DecodedAudio> encoder = EncoderFactory.audio(settings)) {
      List<DecodedAudio> chunks = decodeAudio(golden.files(), EncoderFactory.audioSpec(settings).sampleRate());
      checkAgainstGolden(encoder, chunks, golden, spec.get("dimension").asInt());
    }
  }

  private static <I> void checkAgainstGolden(DjlEncoder<I> encoder, List<I> inputs, Golden golden, int dims) {
    assertThat(encoder.dimension()).isEqualTo(dims).isEqualTo(golden.embeddings()[0].length);
    float[][] batch = encoder.encode(inputs);
    assertThat(batch).hasDimensions(inputs.size(), dims);
    for (int i = 0; i < inputs.size(); i++) {
      float[] alone = encoder.encode(List.of(inputs.get(i)))[0];
      assertThat(maxRelativeError(batch[i], alone)).as("input %d: batch vs alone", i).isLessThan(1e-4);
      for (float x : batch[i]) {
        assertThat(Float.isFinite(x)).isTrue();
      }
      assertThat(maxRelativeError(batch[i], golden.embeddings()[i]))
          .as("input %d (%s) vs PyTorch", i, golden.files().get(i).getFileName())
          .isLessThan(RELATIVE_TOLERANCE);
      assertThat(cosine(batch[i], golden.embeddings()[i])).isGreaterThan(MIN_COSINE);
    }
    // Different inputs give different vectors: a constant output would pass the checks above only
    // if the golden values were constant too, which this rules out.
    assertThat(cosine(golden.embeddings()[0], golden.embeddings()[1])).isLessThan(MIN_COSINE);
  }

  /**
   * Model directories exported with {@code tools/export_encoder.py --golden} that are too large to
   * commit (full-size ResNet, ViT, or a user's own network), checked on demand with the same
   * assertions as the fixtures: {@code -Dfusion.test.exported.models=DIR[,DIR...]}.
   */
  @Test
  @EnabledIfSystemProperty(named = EXPORTED_MODELS, matches = ".+")
  void exportedModelsNamedOnTheCommandLineMatchPyTorch() throws Exception {
    for (String name : System.getProperty(EXPORTED_MODELS).split(",")) {
      Path dir = Path.of(name.trim());
      Golden golden = Golden.of(dir);
      JsonNode spec = JSON.readTree(dir.resolve("model.json").toFile());
      int dims = spec.get("dimension").asInt();
      if (spec.get("modality").asText().equals("image")) {
        EncoderSettings settings = CPU.withImageModel(dir.toString());
        try (DjlEncoder<DecodedImage> encoder = EncoderFactory.image(settings)) {
          checkAgainstGolden(encoder, decodeImages(golden.files(), EncoderFactory.imageSpec(settings)), golden, dims);
        }
      } else {
        EncoderSettings settings = CPU.withAudioModel(dir.toString());
        try (DjlEncoder<DecodedAudio> encoder = EncoderFactory.audio(settings)) {
          checkAgainstGolden(encoder, decodeAudio(golden.files(), EncoderFactory.audioSpec(settings).sampleRate()),
              golden, dims);
        }
      }
    }
  }

  @Test
  void aModelNamedByFileUrlLoadsTheSameModel() throws Exception {
    Path dir = fixture("image-onnx");
    Golden golden = Golden.of(dir);
    EncoderSettings settings = CPU.withImageModel(dir.toUri().toString());
    assertThat(settings.imageModel()).startsWith("file:");
    try (DjlEncoder<DecodedImage> encoder = EncoderFactory.image(settings)) {
      assertThat(encoder.modelId()).isEqualTo("image-onnx/model.onnx");
      float[] v = encoder.encode(decodeImages(golden.files().subList(0, 1), EncoderFactory.imageSpec(settings)))[0];
      assertThat(maxRelativeError(v, golden.embeddings()[0])).isLessThan(RELATIVE_TOLERANCE);
    }
  }

  @Test
  void aRemoteModelIsNotFetchedWhileOffline() {
    String previous = System.getProperty("ai.djl.offline");
    System.setProperty("ai.djl.offline", "true");
    try {
      String url = "djl://ai.djl.huggingface.onnx/sentence-transformers/all-MiniLM-L6-v2";
      assertThatThrownBy(() -> EncoderFactory.locate(url, CPU))
          .hasMessageContaining(url)
          .hasMessageContaining("FUSION_DJL_OFFLINE=false");
    } finally {
      if (previous == null) {
        System.clearProperty("ai.djl.offline");
      } else {
        System.setProperty("ai.djl.offline", previous);
      }
    }
  }

  @Test
  void imageChannelOrderMismatchIsCaught(@TempDir Path tmp) throws Exception {
    assertImageMismatch(tmp, input -> input.put("channels", "BGR"));
  }

  @Test
  void imageNormalisationMismatchIsCaught(@TempDir Path tmp) throws Exception {
    assertImageMismatch(tmp, input -> {
      input.putArray("mean").add(0.5).add(0.5).add(0.5);
      input.putArray("std").add(0.5).add(0.5).add(0.5);
    });
  }

  @Test
  void imageResizeMismatchIsCaught(@TempDir Path tmp) throws Exception {
    assertImageMismatch(tmp, input -> input.put("resize", "stretch"));
  }

  @Test
  void audioSampleRateMismatchIsCaught(@TempDir Path tmp) throws Exception {
    // The chunks are resampled to 8 kHz and the mel bands span 0-4 kHz: the network hears other sounds.
    Path dir = altered("audio-onnx", tmp, input -> input.put("sampleRate", 8000).put("maxHz", 4000.0));
    Golden golden = Golden.of(fixture("audio-onnx"));
    EncoderSettings settings = CPU.withAudioModel(dir.toString());
    try (DjlEncoder<DecodedAudio> encoder = EncoderFactory.audio(settings)) {
      float[][] out = encoder.encode(decodeAudio(golden.files(), EncoderFactory.audioSpec(settings).sampleRate()));
      assertThat(worstError(out, golden)).isGreaterThan(10 * RELATIVE_TOLERANCE);
    }
  }

  private static void assertImageMismatch(Path tmp, Consumer<ObjectNode> change) throws Exception {
    Path dir = altered("image-onnx", tmp, change);
    Golden golden = Golden.of(fixture("image-onnx"));
    EncoderSettings settings = CPU.withImageModel(dir.toString());
    try (DjlEncoder<DecodedImage> encoder = EncoderFactory.image(settings)) {
      float[][] out = encoder.encode(decodeImages(golden.files(), EncoderFactory.imageSpec(settings)));
      assertThat(worstError(out, golden)).isGreaterThan(10 * RELATIVE_TOLERANCE);
    }
  }

  /** A copy of a fixture whose model.json input section was changed. */
  private static Path altered(String name, Path tmp, Consumer<ObjectNode> change) throws IOException {
    Path source = fixture(name);
    Path dir = Files.createDirectories(tmp.resolve(name));
    try (Stream<Path> files = Files.list(source)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    ObjectNode root = (ObjectNode) JSON.readTree(source.resolve("model.json").toFile());
    change.accept((ObjectNode) root.get("input"));
    JSON.writeValue(dir.resolve("model.json").toFile(), root);
    return dir;
  }

  private static double worstError(float[][] out, Golden golden) {
    double worst = 0;
    for (int i = 0; i < out.length; i++) {
      worst = Math.max(worst, maxRelativeError(out[i], golden.embeddings()[i]));
    }
    return worst;
  }

  /** As the pipeline decodes them: subsampled toward the model's input size. */
  static List<DecodedImage> decodeImages(List<Path> files, ImageSpec spec) throws Exception {
    ImageDecoder decoder = new ImageDecoder(LIMITS, spec.width(), spec.height());
    List<DecodedImage> images = new ArrayList<>();
    for (Path f : files) {
      images.add(decoder.decode(ImageEncoding.PNG, 0, 0, Files.readAllBytes(f)));
    }
    return images;
  }

  static List<DecodedAudio> decodeAudio(List<Path> files, int rate) throws Exception {
    AudioDecoder decoder = new AudioDecoder(LIMITS, rate);
    List<DecodedAudio> chunks = new ArrayList<>();
    for (Path f : files) {
      chunks.add(decoder.decode(AudioEncoding.WAV, 0, 0, Files.readAllBytes(f)));
    }
    return chunks;
  }

  static double maxRelativeError(float[] actual, float[] expected) {
    double scale = 1e-6;
    for (float e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale);
    }
    return worst;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * (double) b[i];
      na += a[i] * (double) a[i];
      nb += b[i] * (double) b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
