package io.fusionstream.cli;

import io.fusionstream.encode.TorchThreads;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.fusion.FusionInput;
import io.fusionstream.fusion.ModelDescription;
import io.fusionstream.fusion.ModelStore;
import io.fusionstream.fusion.synth.SyntheticDataset;
import io.fusionstream.schema.Modality;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code fusion train} end to end with the real encoders, twice, into one model directory. */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TrainCommandIT {
  static {
    TorchThreads.configure(1);
  }

  @TempDir Path models;

  private static String train(Path manifest, Path out) {
    PrintStream saved = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = new CommandLine(new TrainCommand()).execute("--data", manifest.toString(), "--out",
          out.toString(), "--epochs", "40", "--labels", "positive,neutral,negative");
    } finally {
      System.setOut(saved);
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    System.out.println(text);
    assertThat(code).as(text).isZero();
    return text;
  }

  @Test
  void trainsPublishesVersionsAndReusesCachedVectors() throws Exception {
    Path dir = Path.of("target", "fusion-it", "synth400");
    if (!Files.exists(dir.resolve(SyntheticDataset.MANIFEST))) {
      SyntheticDataset.generate(dir, 400, 42);
    }
    Path manifest = dir.resolve(SyntheticDataset.MANIFEST);
    String first = train(manifest, models);
    assertThat(first).contains("saved model v0001").contains("test: accuracy").contains("epoch");
    String second = train(manifest, models);
    // the second run finds every vector in the cache
    assertThat(second).contains("text: ").contains("image: ").contains("audio: ");
    assertThat(second.lines().filter(l -> l.contains(" encoded now")))
        .hasSize(3)
        .allMatch(l -> l.contains(" 0 encoded now"));
    assertThat(second).contains("saved model v0002");

    ModelDescription d = ModelDescription.read(models.resolve("v0002"));
    assertThat(d.strategy()).isEqualTo("attention");
    assertThat(d.labels()).containsExactly("positive", "neutral", "negative");
    assertThat(d.encoderIds()).containsKeys("text", "image", "audio");
    assertThat(d.inputDims()).containsKeys("text", "image", "audio");
    assertThat(d.training()).containsKeys("test_accuracy", "test_macro_f1", "best_epoch");

    try (ModelStore store = ModelStore.open(models, Duration.ZERO)) {
      FusionInput window = new FusionInput(Map.of(Modality.AUDIO, new float[d.inputDims().get("audio")]));
      ModelStore.Versioned v = store.predict(List.of(window));
      assertThat(v.modelVersion()).isEqualTo("v0002");
      assertThat(v.outputs().get(0).weights()).containsOnlyKeys(Modality.AUDIO);
    }
  }
}
