package io.fusionstream.encode;

import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.decode.DecodedImage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.fusionstream.encode.TinyOnnx.Op;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image and audio models loaded by path from a model directory with model.json, run by ONNX
 * Runtime. The models are tiny pooling graphs, so the expected vectors follow from the spec.
 */
class ModelByPathTest {
  private static final EncoderSettings CPU = EncoderSettings.defaults().withDevice("cpu");

  @Test
  void imageModelGetsPixelsAsItsSpecSays(@TempDir Path repo) throws Exception {
    // [n, 3, h, w] -> GlobalAveragePool -> Flatten: the mean of each normalised channel.
    Path dir = Files.createDirectories(repo.resolve("mean-colour"));
    Files.write(dir.resolve("model.onnx"), TinyOnnx.model("pixels", new long[] {-1, 3, -1, -1},
        "embedding", 2, Op.of("GlobalAveragePool"), Op.integer("Flatten", "axis", 1)));
    Files.writeString(dir.resolve("model.json"), """
        {"modality": "image", "engine": "OnnxRuntime", "model": "model.onnx",
         "input": {"name": "pixels", "width": 8, "height": 8, "mean": [0.5, 0.5, 0.5],
                   "std": [0.25, 0.5, 1.0], "channels": "BGR", "layout": "NCHW"},
         "output": {"name": "embedding", "normalize": false}}
        """);
    try (DjlEncoder<DecodedImage> encoder = EncoderFactory.image(CPU.withModelDir(repo).withImageModel("mean-colour"))) {
      assertThat(encoder.dimension()).isEqualTo(3);
      assertThat(encoder.modelId()).isEqualTo("mean-colour/model.onnx");
      float[] v = encoder.encode(List.of(BuiltinImageEncoderTest.solid(20, 10, 255, 0, 51)))[0];
      // BGR order: channel 0 is blue (51/255 = 0.2), channel 2 is red (1.0).
      assertThat(v).containsExactly(new float[] {(0.2f - 0.5f) / 0.25f, (0f - 0.5f) / 0.5f, (1f - 0.5f) / 1f}, within(1e-4f));
    }
  }

  @Test
  void nhwcLayoutAndNormalisedOutput(@TempDir Path repo) throws Exception {
    Path dir = Files.createDirectories(repo.resolve("nhwc"));
    Files.write(dir.resolve("model.onnx"), TinyOnnx.model("x", new long[] {-1, -1, -1, 3},
        "y", 2, Op.ints("ReduceMean", "axes", 1, 2), Op.integer("Flatten", "axis", 1)));
    Files.writeString(dir.resolve("model.json"), """
        {"modality": "image", "model": "model.onnx",
         "input": {"width": 4, "height": 4, "mean": [0, 0, 0], "std": [1, 1, 1], "layout": "NHWC"},
         "output": {"normalize": true}}
        """);
    try (DjlEncoder<DecodedImage> encoder = EncoderFactory.image(CPU.withImageModel(dir.toString()))) {
      float[] v = encoder.encode(List.of(BuiltinImageEncoderTest.solid(9, 9, 0, 255, 255)))[0];
      float half = (float) Math.sqrt(0.5);
      assertThat(v).containsExactly(new float[] {0f, half, half}, within(1e-4f));
    }
  }

  @Test
  void centerCropKeepsTheMiddleOfAWidePicture(@TempDir Path repo) throws Exception {
    Path dir = Files.createDirectories(repo.resolve("crop"));
    Files.write(dir.resolve("model.onnx"), TinyOnnx.model("x", new long[] {-1, 3, -1, -1},
        "y", 2, Op.of("GlobalAveragePool"), Op.integer("Flatten", "axis", 1)));
    Files.writeString(dir.resolve("model.json"), """
        {"modality": "image", "model": "model.onnx",
         "input": {"width": 4, "height": 4, "mean": [0, 0, 0], "std": [1, 1, 1], "resize": "center-crop"}}
        """);
    // 30x10: red 10-column bands left and right, a green square in the middle.
    byte[] rgb = new byte[30 * 10 * 3];
    for (int y = 0; y < 10; y++) {
      for (int x = 0; x < 30; x++) {
        rgb[(y * 30 + x) * 3 + (x >= 10 && x < 20 ? 1 : 0)] = (byte) 255;
      }
    }
    try (DjlEncoder<DecodedImage> encoder = EncoderFactory.image(CPU.withImageModel(dir.toString()))) {
      float[] v = encoder.encode(List.of(new DecodedImage(30, 10, rgb)))[0];
      assertThat(v).containsExactly(new float[] {0f, 1f, 0f}, within(1e-4f));
    }
  }

  @Test
  void audioModelTakingLogMel(@TempDir Path repo) throws Exception {
    // [n, mels, frames] -> mean over frames: one value per mel band.
    Path dir = Files.createDirectories(repo.resolve("band-means"));
    Files.write(dir.resolve("model.onnx"), TinyOnnx.model("mel", new long[] {-1, 32, -1},
        "bands", 2, new Op("ReduceMean", "axes", new long[] {2}, false)));
    Files.writeString(dir.resolve("model.json"), """
        {"modality": "audio", "model": "model.onnx",
         "input": {"type": "log-mel", "sampleRate": 8000, "fftSize": 256, "hop": 80, "melBands": 32}}
        """);
    EncoderSettings settings = CPU.withAudioModel(dir.toString());
    assertThat(EncoderFactory.audioSpec(settings).sampleRate()).isEqualTo(8000);
    try (DjlEncoder<DecodedAudio> encoder = EncoderFactory.audio(settings)) {
      assertThat(encoder.dimension()).isEqualTo(32);
      AudioSpec spec = EncoderFactory.audioSpec(settings);
      double[] centres = MelFilterbank.centresHz(spec);
      float[] tone = new float[8000];
      for (int i = 0; i < tone.length; i++) {
        tone[i] = (float) Math.sin(2 * Math.PI * 1500 * i / 8000.0);
      }
      float[] v = encoder.encode(List.of(new DecodedAudio(tone, 8000)))[0];
      int loudest = 0;
      for (int m = 1; m < v.length; m++) {
        loudest = v[m] > v[loudest] ? m : loudest;
      }
      assertThat(Math.abs(centres[loudest] - 1500)).isLessThan(150.0);
    }
  }

  @Test
  void audioModelTakingTheWaveform(@TempDir Path repo) throws Exception {
    Path dir = Files.createDirectories(repo.resolve("wave"));
    Files.write(dir.resolve("model.onnx"), TinyOnnx.model("wave", new long[] {-1, -1},
        "y", 2, Op.of("Abs"), new Op("ReduceMax", "axes", new long[] {1}, false)));
    Files.writeString(dir.resolve("model.json"), """
        {"modality": "audio", "model": "model.onnx", "input": {"type": "waveform", "sampleRate": 16000}}
        """);
    try (DjlEncoder<DecodedAudio> encoder = EncoderFactory.audio(CPU.withAudioModel(dir.toString()))) {
      float[] samples = new float[1000];
      samples[10] = -0.75f;
      float[][] v = encoder.encode(List.of(new DecodedAudio(samples, 16000), new DecodedAudio(new float[3], 16000)));
      assertThat(v[0]).containsExactly(0.75f);
      assertThat(v[1]).containsExactly(0f);
    }
  }

  @Test
  void specMistakesAreReportedWithTheirPlace(@TempDir Path repo) throws Exception {
    Path dir = Files.createDirectories(repo.resolve("broken"));
    Files.writeString(dir.resolve("model.json"), "{\"modality\": \"image\", \"model\": \"missing.onnx\"}");
    assertThatThrownBy(() -> EncoderFactory.image(CPU.withImageModel(dir.toString())))
        .hasMessageContaining("missing.onnx");
    assertThatThrownBy(() -> EncoderFactory.audio(CPU.withAudioModel(dir.toString())))
        .hasMessageContaining("IMAGE model");
    assertThatThrownBy(() -> EncoderFactory.image(CPU.withImageModel("nowhere")))
        .hasMessageContaining("nowhere");
  }
}
