package io.fusionstream.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.fusionstream.config.FusionConfig;
import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.schema.Modality;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TorchScript is code: a model the process itself could replace is refused unless
 * {@code fusion.encoder.torchscript.allow.writable=true}.
 */
class TorchScriptWritableTest {
  private static final EncoderSettings CPU = EncoderSettings.defaults().withDevice("cpu");

  /** A copy of the committed TorchScript audio fixture, writable by this process like any new file. */
  private static Path copyOfFixture(Path tmp) throws IOException {
    Path source = LearnedEncoderFixturesTest.fixture("audio-torchscript");
    Path dir = Files.createDirectories(tmp.resolve("audio-torchscript"));
    try (Stream<Path> files = Files.list(source)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    return dir;
  }

  @Test
  void aTorchScriptModelInAWritableDirectoryIsRefusedByDefault(@TempDir Path tmp) throws Exception {
    Path dir = copyOfFixture(tmp);
    assertThat(Files.isWritable(dir)).isTrue();

    assertThatThrownBy(() -> EncoderFactory.audio(CPU.withAudioModel(dir.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TorchScript model")
        .hasMessageContaining("is writable by this process")
        .hasMessageContaining(FusionConfig.ENCODER_TORCHSCRIPT_ALLOW_WRITABLE + "=true")
        .message().doesNotContain("\n");
  }

  @Test
  void theSettingLetsAWritableModelLoad(@TempDir Path tmp) throws Exception {
    Path dir = copyOfFixture(tmp);
    try (DjlEncoder<DecodedAudio> encoder =
        EncoderFactory.audio(CPU.withAudioModel(dir.toString()).withTorchScriptAllowWritable(true))) {
      assertThat(encoder.modelId()).isEqualTo("audio-torchscript/model.pt");
      assertThat(encoder.dimension()).isEqualTo(64);
    }
  }

  @Test
  void aReadOnlyModelLoadsWithoutTheSetting(@TempDir Path tmp) throws Exception {
    Path dir = copyOfFixture(tmp);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--r--r--"));
      }
    }
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      // root (CAP_DAC_OVERRIDE) may write whatever the mode bits say: only a read-only mount helps there
      assumeFalse(Files.isWritable(dir), "this process may write a r-x directory (running as root)");
      try (DjlEncoder<DecodedAudio> encoder = EncoderFactory.audio(CPU.withAudioModel(dir.toString()))) {
        assertThat(encoder.dimension()).isEqualTo(64);
      }
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  /** A model.json naming a TorchScript file one directory down; the file need not be a real model. */
  private static ModelSpec nestedSpec(Path tmp, String engine) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("model"));
    Files.createDirectories(dir.resolve("nets"));
    Files.write(dir.resolve("nets/model.pt"), new byte[] {1});
    Files.writeString(dir.resolve(ModelSpec.FILE_NAME), "{\"modality\": \"audio\", \"engine\": \"" + engine
        + "\", \"model\": \"nets/model.pt\", \"dimension\": 8}");
    return ModelSpec.read(dir, Modality.AUDIO, null);
  }

  @Test
  void everyDirectoryFromTheModelDirectoryDownToTheFileIsChecked(@TempDir Path tmp) throws Exception {
    ModelSpec spec = nestedSpec(tmp, "PyTorch");
    Path nets = spec.directory().resolve("nets").toRealPath();
    Path top = spec.directory().toRealPath();

    assertThatThrownBy(() -> EncoderFactory.refuseWritableTorchScript(spec, false, nets::equals))
        .hasMessageContaining(nets + " is writable");
    assertThatThrownBy(() -> EncoderFactory.refuseWritableTorchScript(spec, false, top::equals))
        .hasMessageContaining(top + " is writable");
    assertThatThrownBy(() -> EncoderFactory.refuseWritableTorchScript(spec, false,
        p -> p.getFileName().toString().equals("model.pt")))
        .hasMessageContaining("model.pt is writable");
    // above the model directory is the operator's layout (a temp dir here), not the model's
    assertThatCode(() -> EncoderFactory.refuseWritableTorchScript(spec, false, p -> !p.startsWith(top)))
        .doesNotThrowAnyException();
    assertThatCode(() -> EncoderFactory.refuseWritableTorchScript(spec, true, p -> true))
        .doesNotThrowAnyException();
  }

  @Test
  void onnxModelsAreNotChecked(@TempDir Path tmp) throws Exception {
    ModelSpec spec = nestedSpec(tmp, "OnnxRuntime");
    assertThatCode(() -> EncoderFactory.refuseWritableTorchScript(spec, false, p -> true))
        .doesNotThrowAnyException();
  }

  @Test
  void theSettingIsOffByDefaultAndReachesTheEncoderSettings() {
    assertThat(new FusionConfig(Map.of()).encoderSettings().torchScriptAllowWritable()).isFalse();
    assertThat(new FusionConfig(Map.of(FusionConfig.ENCODER_TORCHSCRIPT_ALLOW_WRITABLE, "true"))
        .encoderSettings().torchScriptAllowWritable()).isTrue();
  }
}
