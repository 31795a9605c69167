package io.fusionstream.fusion;

import io.fusionstream.schema.Modality;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Test-set figures of a model: accuracy, macro-F1, and accuracy when each modality is removed at
 * test time. A window left with no modality counts as a miss (nothing to predict from).
 *
 * @param accuracyWithout accuracy with that modality removed; NaN when the model uses nothing else
 */
public record Evaluation(double accuracy, double macroF1, Map<Modality, Double> accuracyWithout) {
  private static final int BATCH = 64;

  public static Evaluation of(FusionModel model, List<LabeledWindow> test, Set<Modality> uses) {
    int labels = model.labels().size();
    int[] predicted = predict(model, test, uses);
    double accuracy = accuracy(predicted, test);
    double f1 = macroF1(predicted, test, labels);
    Map<Modality, Double> without = new EnumMap<>(Modality.class);
    for (Modality m : Modality.values()) {
      if (!uses.contains(m) || uses.size() == 1) {
        without.put(m, Double.NaN);
        continue;
      }
      Set<Modality> rest = EnumSet.copyOf(uses);
      rest.remove(m);
      without.put(m, accuracy(predict(model, test, rest), test));
    }
    return new Evaluation(accuracy, f1, without);
  }

  /** Label index per window, -1 where no allowed modality is present. */
  static int[] predict(FusionModel model, List<LabeledWindow> windows, Set<Modality> allowed) {
    int[] out = new int[windows.size()];
    List<Integer> rows = new ArrayList<>();
    List<FusionInput> batch = new ArrayList<>();
    for (int i = 0; i < windows.size(); i++) {
      Optional<LabeledWindow> kept = windows.get(i).restrictedTo(allowed);
      out[i] = -1;
      if (kept.isEmpty()) {
        continue;
      }
      rows.add(i);
      batch.add(kept.get().input());
      if (batch.size() == BATCH || i == windows.size() - 1) {
        flush(model, rows, batch, out);
      }
    }
    flush(model, rows, batch, out);
    return out;
  }

  private static void flush(FusionModel model, List<Integer> rows, List<FusionInput> batch, int[] out) {
    if (batch.isEmpty()) {
      return;
    }
    List<FusionOutput> predictions = model.predict(batch);
    for (int k = 0; k < rows.size(); k++) {
      out[rows.get(k)] = model.labels().indexOf(predictions.get(k).label());
    }
    rows.clear();
    batch.clear();
  }

  static double accuracy(int[] predicted, List<LabeledWindow> windows) {
    int correct = 0;
    for (int i = 0; i < predicted.length; i++) {
      if (predicted[i] == windows.get(i).label()) {
        correct++;
      }
    }
    return correct / (double) windows.size();
  }

  /** The unweighted mean over labels of F1; a label never predicted nor present is left out. */
  static double macroF1(int[] predicted, List<LabeledWindow> windows, int labels) {
    double sum = 0;
    int counted = 0;
    for (int l = 0; l < labels; l++) {
      int tp = 0;
      int fp = 0;
      int fn = 0;
      for (int i = 0; i < predicted.length; i++) {
        boolean truth = windows.get(i).label() == l;
        boolean guess = predicted[i] == l;
        if (truth && guess) {
          tp++;
        } else if (guess) {
          fp++;
        } else if (truth) {
          fn++;
        }
      }
      if (tp + fp + fn == 0) {
        continue;
      }
      sum += 2.0 * tp / (2.0 * tp + fp + fn);
      counted++;
    }
    return counted == 0 ? 0 : sum / counted;
  }

  /** Mean fusion weight of each modality over windows (where present). */
  public static Map<Modality, Double> meanWeights(FusionModel model, List<FusionInput> windows) {
    Map<Modality, Double> sum = new EnumMap<>(Modality.class);
    Map<Modality, Integer> count = new EnumMap<>(Modality.class);
    for (int from = 0; from < windows.size(); from += BATCH) {
      for (FusionOutput o : model.predict(windows.subList(from, Math.min(windows.size(), from + BATCH)))) {
        o.weights().forEach((m, w) -> {
          sum.merge(m, (double) w, Double::sum);
          count.merge(m, 1, Integer::sum);
        });
      }
    }
    Map<Modality, Double> mean = new EnumMap<>(Modality.class);
    sum.forEach((m, s) -> mean.put(m, s / count.get(m)));
    return mean;
  }
}
