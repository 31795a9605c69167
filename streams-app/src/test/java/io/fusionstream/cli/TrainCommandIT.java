package io.fusionstream.cli;

import io.fusionstream.encode.TorchThreads;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.fusion.FusionInput;
import io.fusionstream.fusion.ModelDescription;
import io.fusionstream.fusion.ModelStore;
import io.fusionstream.fusion.synth.SyntheticDataset;
import io.fusionstream.schema.Modality;
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

/** {@code fusion train} end to end with the real encoders, twice, into one model directory. */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TrainCommandIT {
  static {
    TorchThreads.configure(1);
  }

  @TempDir Path models;

  private static String train(Path manifest, Path out) {
    CliRun.Result result = CliRun.run("train", "--data", manifest.toString(), "--out", out.toString(),
        "--epochs", "40", "--labels", "positive,neutral,negative");
    assertThat(result.code()).as(result.out()).isZero();
    return result.out();
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
