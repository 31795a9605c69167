package io.fusionstream.fusion;

import io.fusionstream.schema.Modality;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * Trains every fusion strategy on all modalities and each modality alone, on one split, and
 * tabulates their test figures.
 */
public final class Comparison {
  /** One row of the table. */
  public record Row(String name, FusionStrategy strategy, List<Modality> modalities, Evaluation result) {}

  private final List<Row> rows;

  private Comparison(List<Row> rows) {
    this.rows = List.copyOf(rows);
  }

  public List<Row> rows() {
    return rows;
  }

  public static Comparison run(
      DataSplit split, EncodedDataset data, TrainOptions base, PrintStream progress) {
    List<Row> rows = new ArrayList<>();
    FusionTrainer trainer = new FusionTrainer(null);
    for (FusionStrategy s : FusionStrategy.values()) {
      TrainOptions options = base.withStrategy(s);
      rows.add(row(s.id(), options, trainer, split, data, progress));
    }
    for (Modality m : Modality.values()) {
      TrainOptions options = base.withStrategy(FusionStrategy.MEAN).singleModality(m);
      rows.add(row(m.name().toLowerCase(Locale.ROOT) + " only", options, trainer, split, data, progress));
    }
    return new Comparison(rows);
  }

  private static Row row(
      String name, TrainOptions options, FusionTrainer trainer, DataSplit split, EncodedDataset data,
      PrintStream progress) {
    TrainedFusion trained =
        trainer.train(split.train(), split.validation(), data.labels(), data.dims(), options);
    try (DjlFusionModel model = trained.toModel(name)) {
      Evaluation result = Evaluation.of(model, split.test(), options.modalities());
      if (progress != null) {
        progress.printf(Locale.ROOT, "%-12s accuracy %.3f (best epoch %d)%n", name, result.accuracy(),
            trained.bestEpoch());
      }
      List<Modality> used = new ArrayList<>(EnumSet.copyOf(options.modalities()));
      return new Row(name, options.strategy(), used, result);
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

  private static String cell(Double v) {
    return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.3f", v);
  }
}
