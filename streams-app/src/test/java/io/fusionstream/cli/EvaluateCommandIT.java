package io.fusionstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.encode.TorchThreads;
import io.fusionstream.fusion.ModelCalibration;
import io.fusionstream.fusion.ModelDescription;
import io.fusionstream.fusion.ModelVersions;
import io.fusionstream.fusion.synth.SyntheticDataset;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * train then evaluate on small story datasets with the real encoders: the saved calibration and the
 * printed figures' structure and ranges. Too few sessions for the figures to mean anything; the
 * targets are measured by the commands on a full dataset (docs/fusion.md).
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class EvaluateCommandIT {
  static {
    TorchThreads.configure(1);
  }

  @TempDir Path dir;

  private static String run(String... args) {
    CliRun.Result result = CliRun.run(args);
    assertThat(result.code()).as(result.out()).isZero();
    return result.out();
  }

  private static double figure(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as("%s in%n%s", regex, text).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void trainSavesTheCalibrationAndEvaluateReportsEveryFigure() throws Exception {
    Path train = SyntheticDataset.generate(dir.resolve("train"), 80, 13, true);
    Path held = SyntheticDataset.generate(dir.resolve("held"), 40, 14, true);
    Path models = dir.resolve("models");
    run("train", "--data", train.toString(), "--out", models.toString(), "--epochs", "4",
        "--labels", "positive,neutral,negative");

    ModelCalibration saved = ModelDescription.read(ModelVersions.newest(models).orElseThrow()).calibration();
    assertThat(saved.temperature()).isBetween(0.05, 50.0);
    assertThat(saved.disagreementThreshold()).isBetween(0.0, 1.0);

    String text = run("evaluate", "--data", held.toString(), "--model", models.toString());
    assertThat(text).contains("model v0001 (attention) on 40 sessions", "stories: {");
    assertThat(figure(text, "accuracy (\\d\\.\\d+), macro-F1")).isBetween(0.0, 1.0);
    assertThat(figure(text, "lowest-weighted in (\\d+\\.\\d)% of")).isBetween(0.0, 100.0);
    assertThat(figure(text, "flag \\(consistency < (\\d\\.\\d+)\\)")).isEqualTo(
        Double.parseDouble(String.format(java.util.Locale.ROOT, "%.3f", saved.disagreementThreshold())));
    assertThat(figure(text, "ECE \\(10 bins\\) (\\d\\.\\d+) with temperature 1")).isBetween(0.0, 1.0);
    assertThat(figure(text, ", (\\d\\.\\d+) with \\d")).isBetween(0.0, 1.0);
  }
}
