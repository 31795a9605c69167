package io.fusionstream.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fusionstream.schema.Modality;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** model.json may only name files inside its own model directory. */
class ModelSpecPathTest {

  private static Path modelDir(Path root, String modelField) throws Exception {
    Path dir = Files.createDirectories(root.resolve("models/faces"));
    Files.write(dir.resolve("model.onnx"), new byte[] {1});
    Files.writeString(dir.resolve(ModelSpec.FILE_NAME),
        "{\"modality\": \"image\", \"model\": \"" + modelField + "\", \"dimension\": 8}");
    return dir;
  }

  @Test
  void aModelInsideItsDirectoryIsRead(@TempDir Path root) throws Exception {
    Path dir = modelDir(root, "model.onnx");
    assertThat(ModelSpec.read(dir, Modality.IMAGE, null).modelFile())
        .isEqualTo(dir.toAbsolutePath().normalize().resolve("model.onnx"));
  }

  @Test
  void aParentPathIsRefusedWithAClearError(@TempDir Path root) throws Exception {
    Path dir = modelDir(root, "../evil.pt");
    Files.write(root.resolve("models/evil.pt"), new byte[] {1});

    assertThatThrownBy(() -> ModelSpec.read(dir, Modality.IMAGE, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field 'model' must name a file inside").hasMessageContaining("not ../evil.pt");
  }

  @Test
  void anAbsolutePathIsRefused(@TempDir Path root) throws Exception {
    Path outside = Files.write(root.resolve("elsewhere.onnx"), new byte[] {1});
    Path dir = modelDir(root, outside.toAbsolutePath().toString());

    assertThatThrownBy(() -> ModelSpec.read(dir, Modality.IMAGE, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must name a file inside");
  }

  @Test
  void aLinkLeadingOutIsRefused(@TempDir Path root) throws Exception {
    Path outside = Files.write(root.resolve("elsewhere.onnx"), new byte[] {1});
    Path dir = modelDir(root, "linked.onnx");
    Files.createSymbolicLink(dir.resolve("linked.onnx"), outside);

    assertThatThrownBy(() -> ModelSpec.read(dir, Modality.IMAGE, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("link leading outside");
  }
}
