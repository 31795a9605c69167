package io.fusionstream.encode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image decoder subsamples toward this size, so it must be the one the encoder resizes to. */
class ImageInputSizeTest {
  private static final EncoderSettings CPU = EncoderSettings.defaults().withDevice("cpu");

  @Test
  void builtinAndByPathModelsTellTheirInputSize(@TempDir Path repo) throws Exception {
    ImageSpec builtin = EncoderFactory.imageSpec(CPU);
    assertThat(builtin.width()).isEqualTo(ImageFeatureBlock.SIDE);
    assertThat(builtin.height()).isEqualTo(ImageFeatureBlock.SIDE);

    Path dir = Files.createDirectories(repo.resolve("clip-like"));
    Files.write(dir.resolve("model.onnx"), new byte[] {0});
    Files.writeString(dir.resolve("model.json"), """
        {"modality": "image", "model": "model.onnx",
         "input": {"width": 224, "height": 160, "mean": [0, 0, 0], "std": [1, 1, 1]}}
        """);
    ImageSpec byPath = EncoderFactory.imageSpec(CPU.withModelDir(repo).withImageModel("clip-like"));
    assertThat(byPath.width()).isEqualTo(224);
    assertThat(byPath.height()).isEqualTo(160);
  }
}
