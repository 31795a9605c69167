package io.fusionstream.fusion;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.fusion.explain.ExplanationReport;
import io.fusionstream.fusion.explain.WindowStory;
import io.fusionstream.schema.Modality;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The explanation evaluation end to end on toy windows with known stories: structure and ranges. */
class ExplanationReportTest {

  /** Every fifth window gets one modality of noise, every fifth+1 a contradicting text (aroused ones). */
  private static List<LabeledWindow> storied(List<LabeledWindow> windows, Map<String, WindowStory> stories,
      long seed) {
    Random r = new Random(seed);
    List<LabeledWindow> out = new ArrayList<>();
    for (int i = 0; i < windows.size(); i++) {
      LabeledWindow w = windows.get(i);
      Map<Modality, float[]> pooled = new EnumMap<>(w.input().pooled());
      String id = "w" + seed + "-" + i;
      if (i % 5 == 0) {
        Modality m = Modality.values()[r.nextInt(3)];
        float[] noise = new float[pooled.get(m).length];
        for (int k = 0; k < noise.length; k++) {
          noise[k] = (float) (3 * r.nextGaussian());
        }
        pooled.put(m, noise);
        stories.put(id, new WindowStory(WindowStory.Kind.NOISE, m));
      } else if (i % 5 == 1 && w.label() != 1) {
        float[] text = pooled.get(Modality.TEXT).clone();
        text[0] = -text[0];
        text[1] = -text[1];
        pooled.put(Modality.TEXT, text);
        stories.put(id, new WindowStory(WindowStory.Kind.CONTRADICT, Modality.TEXT));
      } else {
        stories.put(id, WindowStory.CLEAN);
      }
      out.add(new LabeledWindow(id, w.label(), new FusionInput(pooled)));
    }
    return out;
  }

  @Test
  void reportsEveryFigureInItsRangeAndSavesWhatServingNeeds() {
    Map<String, WindowStory> stories = new HashMap<>();
    List<LabeledWindow> train = storied(ToyWindows.make(240, 1), stories, 1);
    List<LabeledWindow> validation = storied(ToyWindows.make(80, 2), stories, 2);
    List<LabeledWindow> test = storied(ToyWindows.make(100, 3), stories, 3);
    TrainedFusion trained = new FusionTrainer(null).train(train, validation, ToyWindows.LABELS, ToyWindows.DIMS,
        TrainOptions.defaults(FusionStrategy.ATTENTION).withEpochs(15));

    ModelCalibration fitted;
    try (DjlFusionModel raw = trained.toModel("raw")) {
      fitted = ExplanationReport.fit(raw, validation, stories);
    }
    assertThat(fitted.temperature()).isBetween(0.05, 50.0);
    assertThat(fitted.disagreementThreshold()).isBetween(0.0, 1.0);

    long noise = test.stream().filter(w -> stories.get(w.sessionId()).kind() == WindowStory.Kind.NOISE).count();
    long contradicting =
        test.stream().filter(w -> stories.get(w.sessionId()).kind() == WindowStory.Kind.CONTRADICT).count();
    try (DjlFusionModel model = trained.toModel("served", fitted)) {
      ExplanationReport report = ExplanationReport.evaluate(model, test, stories, EnumSet.allOf(Modality.class));
      assertThat(report.windows()).isEqualTo(test.size());
      assertThat(report.accuracy()).isBetween(0.0, 1.0);
      assertThat(report.accuracyByStory()).containsOnlyKeys(
          WindowStory.Kind.CLEAN, WindowStory.Kind.NOISE, WindowStory.Kind.CONTRADICT);
      assertThat(report.noiseWindows()).isEqualTo(noise);
      assertThat(report.noisedLowest()).isBetween(0.0, 1.0);
      assertThat(report.removal().windows()).isPositive().isLessThanOrEqualTo(test.size());
      assertThat(report.removal().dropTop()).isBetween(-1.0, 1.0);
      assertThat(report.removal().dropBottom()).isBetween(-1.0, 1.0);
      assertThat(report.contradicting()).isEqualTo(contradicting);
      assertThat(report.disagreement().threshold()).isEqualTo(fitted.disagreementThreshold());
      assertThat(report.disagreement().truePositives() + report.disagreement().falseNegatives())
          .isEqualTo(contradicting);
      assertThat(report.calibration()).isEqualTo(fitted);
      assertThat(report.eceBefore()).isBetween(0.0, 1.0);
      assertThat(report.eceAfter()).isBetween(0.0, 1.0);
      assertThat(report.metrics("test_")).containsKeys("test_ece_before_scaling", "test_ece_after_scaling",
          "test_noised_modality_lowest_weight", "test_accuracy_drop_without_top_weighted",
          "test_accuracy_drop_without_bottom_weighted", "test_disagreement_f1");
      assertThat(report.describe()).contains("faithfulness:", "disagreement:", "calibration:");
    }

    try (DjlFusionModel mean = new FusionTrainer(null).train(train, validation, ToyWindows.LABELS,
        ToyWindows.DIMS, TrainOptions.defaults(FusionStrategy.MEAN).withEpochs(2)).toModel("mean")) {
      ExplanationReport uniform = ExplanationReport.evaluate(mean, test, stories, EnumSet.allOf(Modality.class));
      assertThat(uniform.removal().windows()).as("equal weights single out no modality").isZero();
      assertThat(uniform.metrics("")).doesNotContainKey("accuracy_drop_without_top_weighted");
    }
  }
}
