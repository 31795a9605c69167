package io.fusionstream.fusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fusionstream.schema.Modality;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FusionTrainerTest {
  private static List<LabeledWindow> train;
  private static List<LabeledWindow> validation;
  private static List<LabeledWindow> test;

  @BeforeAll
  static void data() {
    train = ToyWindows.make(240, 1);
    validation = ToyWindows.make(60, 2);
    test = ToyWindows.make(90, 3);
  }

  private static TrainedFusion train(FusionStrategy strategy, int epochs) {
    return new FusionTrainer(null)
        .train(train, validation, ToyWindows.LABELS, ToyWindows.DIMS,
            TrainOptions.defaults(strategy).withEpochs(epochs));
  }

  private static double accuracy(FusionModel model, List<LabeledWindow> windows) {
    List<FusionInput> inputs = windows.stream().map(LabeledWindow::input).toList();
    List<FusionOutput> out = model.predict(inputs);
    int correct = 0;
    for (int i = 0; i < windows.size(); i++) {
      if (out.get(i).label().equals(model.labels().get(windows.get(i).label()))) {
        correct++;
      }
    }
    return correct / (double) windows.size();
  }

  @Test
  void trainingLearnsTheComplementaryRuleAndStopsEarlyWhenValidationStalls() {
    TrainedFusion trained = train(FusionStrategy.ATTENTION, 200);
    assertThat(trained.history().size()).isLessThan(200);
    assertThat(trained.best().validationLoss()).isLessThan(trained.history().get(0).validationLoss());
    try (DjlFusionModel model = trained.toModel("t1")) {
      // valence alone or arousal alone cannot exceed about 2/3; the rule needs both
      assertThat(accuracy(model, test)).isGreaterThan(0.8);
    }
  }

  @Test
  void sameSeedGivesTheSameParameters() {
    TrainedFusion a = train(FusionStrategy.GATED, 5);
    TrainedFusion b = train(FusionStrategy.GATED, 5);
    assertThat(a.parameters()).isEqualTo(b.parameters());
    assertThat(a.history()).isEqualTo(b.history());
  }

  @ParameterizedTest
  @EnumSource(FusionStrategy.class)
  void batchedAndSinglePredictionsAgreeAndOutputsAreWellFormed(FusionStrategy strategy) {
    try (DjlFusionModel model = train(strategy, 3).toModel("t2")) {
      List<FusionInput> inputs = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        Map<Modality, float[]> pooled = new EnumMap<>(test.get(i).input().pooled());
        // windows with one and with two modalities missing
        if (i % 3 == 1) {
          pooled.remove(Modality.IMAGE);
        } else if (i % 3 == 2) {
          pooled.remove(Modality.TEXT);
          pooled.remove(Modality.AUDIO);
        }
        inputs.add(new FusionInput(pooled));
      }
      List<FusionOutput> batched = model.predict(inputs);
      for (int i = 0; i < inputs.size(); i++) {
        FusionOutput one = model.predict(List.of(inputs.get(i))).get(0);
        FusionOutput many = batched.get(i);
        assertThat(many.label()).isEqualTo(one.label());
        for (String l : model.labels()) {
          assertThat(many.scores().get(l)).isCloseTo(one.scores().get(l), within(1e-5f));
        }
        assertThat(many.weights().keySet()).isEqualTo(inputs.get(i).pooled().keySet());
        for (Modality m : many.weights().keySet()) {
          assertThat(many.weights().get(m)).isCloseTo(one.weights().get(m), within(1e-5f));
        }
        assertThat(many.embedding()).containsExactly(one.embedding(), within(1e-5f));
        assertThat(many.consistency()).isCloseTo(one.consistency(), within(1e-5f));

        assertThat(many.weights().values().stream().mapToDouble(Float::doubleValue).sum())
            .isCloseTo(1.0, within(1e-5));
        assertThat(many.scores().values().stream().mapToDouble(Float::doubleValue).sum())
            .isCloseTo(1.0, within(1e-5));
        assertThat(many.auxLabels().keySet()).isEqualTo(inputs.get(i).pooled().keySet());
        double norm = 0;
        for (float e : many.embedding()) {
          norm += e * e;
        }
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-4));
        if (inputs.get(i).pooled().size() == 1) {
          assertThat(many.consistency()).isEqualTo(1f);
        } else {
          assertThat(many.consistency()).isBetween(0f, 1f);
        }
      }
    }
  }

  @Test
  void savedModelLoadsAndPredictsTheSame(@TempDir Path dir) throws Exception {
    TrainedFusion trained = train(FusionStrategy.WEIGHTED, 4);
    ModelDescription saved =
        trained.saveTo(dir, "v0007", Map.of(Modality.TEXT, "toy-text@1"), Map.of("test_accuracy", 0.5));
    assertThat(Files.exists(dir.resolve(ModelDescription.FILE))).isTrue();
    List<FusionInput> inputs = test.stream().limit(10).map(LabeledWindow::input).toList();
    try (DjlFusionModel fresh = trained.toModel("v0007");
        DjlFusionModel loaded = DjlFusionModel.load(dir)) {
      assertThat(loaded.version()).isEqualTo("v0007");
      assertThat(loaded.labels()).isEqualTo(ToyWindows.LABELS);
      ModelDescription d = loaded.description();
      assertThat(d.strategy()).isEqualTo("weighted");
      assertThat(d.inputDims()).containsEntry("text", 8).containsEntry("audio", 5);
      assertThat(d.encoderIds()).containsEntry("text", "toy-text@1");
      assertThat(d.training()).containsKeys("best_epoch", "validation_accuracy", "test_accuracy");
      assertThat(d.createdAt()).isEqualTo(saved.createdAt());
      List<FusionOutput> a = fresh.predict(inputs);
      List<FusionOutput> b = loaded.predict(inputs);
      for (int i = 0; i < inputs.size(); i++) {
        assertThat(b.get(i).embedding()).containsExactly(a.get(i).embedding(), within(1e-6f));
      }
    }
  }

  @Test
  void calibrationRoundTripsThroughModelJsonAndOldModelsGetTheDefaults(@TempDir Path dir) throws Exception {
    TrainedFusion trained = train(FusionStrategy.ATTENTION, 3);
    ModelCalibration calibration = new ModelCalibration(1.7, 0.42);
    trained.saveTo(dir, "v0001", Map.of(), Map.of(), calibration);
    assertThat(Files.readString(dir.resolve(ModelDescription.FILE)))
        .contains("\"temperature\" : 1.7", "\"disagreementThreshold\" : 0.42");
    try (DjlFusionModel loaded = DjlFusionModel.load(dir)) {
      assertThat(loaded.calibration()).isEqualTo(calibration);
      assertThat(loaded.description().calibration()).isEqualTo(calibration);
    }

    // A model.json written before calibration existed has neither field.
    ModelDescription d = ModelDescription.read(dir);
    new ModelDescription(d.format(), d.version(), d.createdAt(), d.strategy(), d.labels(), d.inputDims(),
        d.sharedDim(), d.attentionDim(), d.hiddenDim(), d.dropout(), d.encoderIds(), d.training(), null, null)
        .write(dir);
    assertThat(Files.readString(dir.resolve(ModelDescription.FILE)))
        .doesNotContain("temperature").doesNotContain("disagreementThreshold");
    try (DjlFusionModel old = DjlFusionModel.load(dir)) {
      assertThat(old.calibration()).isEqualTo(ModelCalibration.NONE);
      assertThat(old.calibration().temperature()).isEqualTo(1.0);
      assertThat(old.calibration().disagreementThreshold()).isEqualTo(0.5);
    }
  }

  @Test
  void servingDividesTheLogitsByTheTemperatureAndFlagsWithTheThreshold() {
    TrainedFusion trained = train(FusionStrategy.ATTENTION, 5);
    List<FusionInput> inputs = test.stream().limit(20).map(LabeledWindow::input).toList();
    try (DjlFusionModel raw = trained.toModel("raw");
        DjlFusionModel hot = trained.toModel("hot", new ModelCalibration(2.5, 0.9));
        DjlFusionModel strict = trained.toModel("strict", new ModelCalibration(1.0, 0.0))) {
      List<FusionOutput> a = raw.predict(inputs);
      List<FusionOutput> b = hot.predict(inputs);
      List<FusionOutput> never = strict.predict(inputs);
      for (int i = 0; i < inputs.size(); i++) {
        double[] rawScores = new double[3];
        for (int l = 0; l < 3; l++) {
          rawScores[l] = a.get(i).scores().get(ToyWindows.LABELS.get(l));
        }
        double[] expected = io.fusionstream.fusion.explain.Calibration.scale(rawScores, 2.5);
        for (int l = 0; l < 3; l++) {
          assertThat((double) b.get(i).scores().get(ToyWindows.LABELS.get(l))).isCloseTo(expected[l], within(1e-5));
        }
        assertThat(b.get(i).label()).as("a temperature never changes the winner").isEqualTo(a.get(i).label());
        assertThat(b.get(i).consistency()).isEqualTo(a.get(i).consistency());
        assertThat(b.get(i).disagree()).isEqualTo(b.get(i).consistency() < 0.9f);
        assertThat(never.get(i).disagree()).as("nothing is under 0").isFalse();
      }
      assertThat(Collections.max(maxScores(b))).isLessThan(Collections.max(maxScores(a)));
    }
  }

  private static List<Float> maxScores(List<FusionOutput> outputs) {
    return outputs.stream().map(o -> Collections.max(o.scores().values())).toList();
  }

  @Test
  void rejectsVectorsOfTheWrongLength() {
    try (DjlFusionModel model = train(FusionStrategy.MEAN, 1).toModel("t3")) {
      FusionInput wrong = new FusionInput(Map.of(Modality.TEXT, new float[3]));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> model.predict(List.of(wrong)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("TEXT")
          .hasMessageContaining("expects 8");
    }
  }
}
