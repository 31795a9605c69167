package io.fusionstream.fusion;

import io.fusionstream.schema.Modality;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import io.fusionstream.fusion.explain.ExplanationReport;
import io.fusionstream.fusion.explain.WindowStory;

/**
 * Trains every fusion strategy on all modalities and each modality alone, on one split, and
 * tabulates their test figures.
 */
public final class Comparison {
  /**
   * One row of the table.
   *
   * @param explanation what the model's predictions say about themselves, with the calibration
   *     fitted on validation; null for the single-modality rows (nothing to weigh or disagree)
   */
  public record Row(String name, FusionStrategy strategy, List<Modality> modalities, Evaluation result,
      ExplanationReport explanation) {}

  private final List<Row> rows;

  private Comparison(List<Row> rows) {
    this.rows = List.copyOf(rows);
  }

  public List<Row> rows() {
    return rows;
  }

  public static Comparison run(
      DataSplit split, EncodedDataset data, TrainOptions base, PrintStream progress) {
    return run(split, data, base, progress, Map.of(), NoiseAugmentation.NONE);
  }

  /**
   * @param stories the generator's story of each session (by id), the ground truth of the
   *     explanation figures; sessions without one count as clean
   * @param noise noise vectors the fused models' training may replace modalities with
   */
  public static Comparison run(DataSplit split, EncodedDataset data, TrainOptions base, PrintStream progress,
      Map<String, WindowStory> stories, NoiseAugmentation noise) {
    List<Row> rows = new ArrayList<>();
    FusionTrainer trainer = new FusionTrainer(null);
    for (FusionStrategy s : FusionStrategy.values()) {
      TrainOptions options = base.withStrategy(s);
      rows.add(row(s.id(), options, trainer, split, data, progress, stories, noise));
    }
    for (Modality m : Modality.values()) {
      TrainOptions options = base.withStrategy(FusionStrategy.MEAN).singleModality(m);
      rows.add(row(m.name().toLowerCase(Locale.ROOT) + " only", options, trainer, split, data, progress, null,
          NoiseAugmentation.NONE));
    }
    return new Comparison(rows);
  }

  private static Row row(String name, TrainOptions options, FusionTrainer trainer, DataSplit split,
      EncodedDataset data, PrintStream progress, Map<String, WindowStory> stories, NoiseAugmentation noise) {
    TrainedFusion trained =
        trainer.train(split.train(), split.validation(), data.labels(), data.dims(), options, noise);
    ModelCalibration calibration = ModelCalibration.NONE;
    if (stories != null) {
      try (DjlFusionModel raw = trained.toModel(name)) {
        calibration = ExplanationReport.fit(raw, split.validation(), stories);
      }
    }
    try (DjlFusionModel model = trained.toModel(name, calibration)) {
      Evaluation result = Evaluation.of(model, split.test(), options.modalities());
      ExplanationReport explanation =
          stories == null ? null : ExplanationReport.evaluate(model, split.test(), stories, options.modalities());
      if (progress != null) {
        progress.printf(Locale.ROOT, "%-12s accuracy %.3f (best epoch %d)%n", name, result.accuracy(),
            trained.bestEpoch());
      }
      List<Modality> used = new ArrayList<>(EnumSet.copyOf(options.modalities()));
      return new Row(name, options.strategy(), used, result, explanation);
    }
  }

  public Row row(String name) {
    return rows.stream().filter(r -> r.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no row " + name));
  }

  /** A Markdown table: accuracy, macro-F1, accuracy without each modality. */
  public String table() {
    StringBuilder out = new StringBuilder();
    out.append("| model | accuracy | macro-F1 | without text | without image | without audio |\n");
    out.append("|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      out.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %s | %s | %s |%n", r.name(),
          r.result().accuracy(), r.result().macroF1(),
          cell(r.result().accuracyWithout().get(Modality.TEXT)),
          cell(r.result().accuracyWithout().get(Modality.IMAGE)),
          cell(r.result().accuracyWithout().get(Modality.AUDIO))));
    }
    return out.toString();
  }

  /**
   * A Markdown table of the explanation figures of the fused models, on the test windows:
   * faithfulness of the weights (blank where a strategy's weights are uniform), detection of
   * contradicting windows at the threshold fitted on validation, and calibration.
   */
  public String explanationTable() {
    StringBuilder out = new StringBuilder();
    out.append("| model | noised lowest | drop without top | drop without bottom | disagree threshold"
        + " | precision | recall | F1 | temperature | ECE before | ECE after |\n");
    out.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      ExplanationReport e = r.explanation();
      if (e == null) {
        continue;
      }
      boolean weighs = e.removal().windows() > 0;
      boolean truth = e.contradicting() > 0;
      out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.3f | %s | %s | %s | %.3f | %.3f | %.3f |%n",
          r.name(),
          weighs ? pct(e.noisedLowest()) : "-",
          weighs ? signed(e.removal().dropTop()) : "-",
          weighs ? signed(e.removal().dropBottom()) : "-",
          e.calibration().disagreementThreshold(),
          truth ? cell(e.disagreement().precision()) : "-", truth ? cell(e.disagreement().recall()) : "-",
          truth ? cell(e.disagreement().f1()) : "-",
          e.calibration().temperature(), e.eceBefore(), e.eceAfter()));
    }
    return out.toString();
  }

  private static String pct(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }

  private static String signed(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%+.3f", v);
  }

  private static String cell(Double v) {
    return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.3f", v);
  }
}
