package io.fusionstream.fusion.explain;

import io.fusionstream.fusion.FusionInput;
import io.fusionstream.fusion.FusionModel;
import io.fusionstream.fusion.FusionOutput;
import io.fusionstream.fusion.LabeledWindow;
import io.fusionstream.fusion.ModelCalibration;
import io.fusionstream.schema.Modality;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a model's predictions say about themselves, checked against the generator's stories:
 * faithfulness of the weights, detection of contradicting windows by the disagreement flag, and
 * calibration of the scores before and after the model's temperature.
 *
 * @param windows windows evaluated (those with at least one modality the model uses)
 * @param accuracy accuracy over them
 * @param accuracyByStory accuracy per story kind, for the kinds present
 * @param noiseWindows noise windows where the noised modality is present beside another one
 * @param noisedLowest share of those where it got the strictly lowest weight; NaN without any
 * @param removal accuracy lost by removing the top- vs the bottom-weighted modality; windows 0 when
 *     the weights never single out a modality (uniform strategies)
 * @param contradicting windows whose story is a contradiction
 * @param disagreement the flag at the model's threshold against those windows
 * @param bestDisagreement the best threshold on these windows, to compare with the model's (null
 *     without contradicting windows)
 * @param calibration the temperature and threshold the model serves with
 * @param eceBefore expected calibration error (10 bins) of the scores with temperature 1
 * @param eceAfter the same with the model's temperature
 */
public record ExplanationReport(
    int windows,
    double accuracy,
    Map<WindowStory.Kind, Double> accuracyByStory,
    int noiseWindows,
    double noisedLowest,
    Faithfulness.Removal removal,
    int contradicting,
    DisagreementDetection.Score disagreement,
    DisagreementDetection.Score bestDisagreement,
    ModelCalibration calibration,
    double eceBefore,
    double eceAfter) {

  private static final int BATCH = 64;

  /**
   * Evaluates {@code model} (outputs as served, calibration included) on {@code windows} seen
   * through the modalities in {@code uses}; windows without a story count as clean.
   */
  public static ExplanationReport evaluate(FusionModel model, List<LabeledWindow> windows,
      Map<String, WindowStory> stories, Set<Modality> uses) {
    List<LabeledWindow> kept = new ArrayList<>();
    for (LabeledWindow w : windows) {
      w.restrictedTo(uses).ifPresent(kept::add);
    }
    List<FusionOutput> outputs = predict(model, kept.stream().map(LabeledWindow::input).toList());
    List<String> labels = model.labels();
    int n = kept.size();
    boolean[] correct = new boolean[n];
    double[] confidence = new double[n];
    double[] rawConfidence = new double[n];
    float[] consistency = new float[n];
    boolean[] flaggable = new boolean[n];
    boolean[] contradicting = new boolean[n];
    Map<WindowStory.Kind, int[]> byStory = new EnumMap<>(WindowStory.Kind.class);
    List<Map<Modality, Float>> noiseWeights = new ArrayList<>();
    List<Modality> noised = new ArrayList<>();
    ModelCalibration calibration = model.calibration();
    for (int i = 0; i < n; i++) {
      FusionOutput o = outputs.get(i);
      LabeledWindow w = kept.get(i);
      WindowStory story = stories.getOrDefault(w.sessionId(), WindowStory.CLEAN);
      correct[i] = labels.indexOf(o.label()) == w.label();
      double[] scores = scores(o, labels);
      confidence[i] = max(scores);
      rawConfidence[i] = max(Calibration.scale(scores, 1 / calibration.temperature()));
      consistency[i] = o.consistency();
      flaggable[i] = o.weights().size() > 1;
      contradicting[i] = story.kind() == WindowStory.Kind.CONTRADICT;
      int[] tally = byStory.computeIfAbsent(story.kind(), k -> new int[2]);
      tally[0] += correct[i] ? 1 : 0;
      tally[1]++;
      if (story.kind() == WindowStory.Kind.NOISE && o.weights().containsKey(story.modality())
          && o.weights().size() > 1) {
        noiseWeights.add(o.weights());
        noised.add(story.modality());
      }
    }
    Map<WindowStory.Kind, Double> accuracyByStory = new EnumMap<>(WindowStory.Kind.class);
    byStory.forEach((k, t) -> accuracyByStory.put(k, t[0] / (double) t[1]));
    int contradictions = 0;
    for (boolean c : contradicting) {
      contradictions += c ? 1 : 0;
    }
    return new ExplanationReport(n, count(correct) / (double) Math.max(1, n), accuracyByStory,
        noiseWeights.size(), Faithfulness.noisedLowest(noiseWeights, noised),
        removal(model, kept, outputs, correct),
        contradictions,
        DisagreementDetection.at(calibration.disagreementThreshold(), consistency, flaggable, contradicting),
        DisagreementDetection.best(consistency, flaggable, contradicting),
        calibration,
        Calibration.ece(rawConfidence, correct, Calibration.BINS),
        Calibration.ece(confidence, correct, Calibration.BINS));
  }

  /**
   * Fits what serving needs on validation windows, with a model that serves uncalibrated: the
   * temperature with the lowest NLL, and the disagreement threshold with the highest F1 against
   * the contradicting windows (0.5 kept when no window contradicts: nothing to fit it to).
   */
  public static ModelCalibration fit(FusionModel uncalibrated, List<LabeledWindow> validation,
      Map<String, WindowStory> stories) {
    List<String> labels = uncalibrated.labels();
    List<FusionOutput> outputs = predict(uncalibrated, validation.stream().map(LabeledWindow::input).toList());
    List<double[]> scores = new ArrayList<>();
    int[] truth = new int[validation.size()];
    float[] consistency = new float[validation.size()];
    boolean[] flaggable = new boolean[validation.size()];
    boolean[] contradicting = new boolean[validation.size()];
    for (int i = 0; i < validation.size(); i++) {
      FusionOutput o = outputs.get(i);
      scores.add(scores(o, labels));
      truth[i] = validation.get(i).label();
      consistency[i] = o.consistency();
      flaggable[i] = o.weights().size() > 1;
      WindowStory story = stories.getOrDefault(validation.get(i).sessionId(), WindowStory.CLEAN);
      contradicting[i] = story.kind() == WindowStory.Kind.CONTRADICT;
    }
    ModelCalibration fitted = ModelCalibration.NONE.withTemperature(Calibration.fitTemperature(scores, truth));
    DisagreementDetection.Score best = DisagreementDetection.best(consistency, flaggable, contradicting);
    return best == null ? fitted : fitted.withDisagreementThreshold(Math.min(1, best.threshold()));
  }

  private static Faithfulness.Removal removal(FusionModel model, List<LabeledWindow> windows,
      List<FusionOutput> outputs, boolean[] correct) {
    List<Integer> rows = new ArrayList<>();
    List<FusionInput> withoutTop = new ArrayList<>();
    List<FusionInput> withoutBottom = new ArrayList<>();
    for (int i = 0; i < windows.size(); i++) {
      Optional<Modality> top = Faithfulness.top(outputs.get(i).weights());
      Optional<Modality> bottom = Faithfulness.bottom(outputs.get(i).weights());
      if (top.isEmpty() || bottom.isEmpty()) {
        continue;
      }
      rows.add(i);
      withoutTop.add(without(windows.get(i), top.get()));
      withoutBottom.add(without(windows.get(i), bottom.get()));
    }
    List<FusionOutput> topOut = predict(model, withoutTop);
    List<FusionOutput> bottomOut = predict(model, withoutBottom);
    boolean[] full = new boolean[rows.size()];
    boolean[] noTop = new boolean[rows.size()];
    boolean[] noBottom = new boolean[rows.size()];
    for (int k = 0; k < rows.size(); k++) {
      int label = windows.get(rows.get(k)).label();
      full[k] = correct[rows.get(k)];
      noTop[k] = model.labels().indexOf(topOut.get(k).label()) == label;
      noBottom[k] = model.labels().indexOf(bottomOut.get(k).label()) == label;
    }
    return Faithfulness.removal(full, noTop, noBottom);
  }

  private static FusionInput without(LabeledWindow w, Modality m) {
    Set<Modality> rest = EnumSet.copyOf(w.input().pooled().keySet());
    rest.remove(m);
    return w.restrictedTo(rest).orElseThrow().input();
  }

  private static List<FusionOutput> predict(FusionModel model, List<FusionInput> inputs) {
    List<FusionOutput> out = new ArrayList<>(inputs.size());
    for (int from = 0; from < inputs.size(); from += BATCH) {
      out.addAll(model.predict(inputs.subList(from, Math.min(inputs.size(), from + BATCH))));
    }
    return out;
  }

  private static double[] scores(FusionOutput o, List<String> labels) {
    double[] s = new double[labels.size()];
    for (int l = 0; l < s.length; l++) {
      s[l] = o.scores().get(labels.get(l));
    }
    return s;
  }

  private static double max(double[] values) {
    double m = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      m = Math.max(m, v);
    }
    return m;
  }

  private static int count(boolean[] values) {
    int c = 0;
    for (boolean v : values) {
      c += v ? 1 : 0;
    }
    return c;
  }

  /** The figures as flat model.json training metrics, each name prefixed with {@code prefix}. */
  public Map<String, Object> metrics(String prefix) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put(prefix + "ece_before_scaling", eceBefore);
    m.put(prefix + "ece_after_scaling", eceAfter);
    if (noiseWindows > 0 && removal.windows() > 0) {
      m.put(prefix + "noised_modality_lowest_weight", noisedLowest);
    }
    if (removal.windows() > 0) {
      m.put(prefix + "accuracy_drop_without_top_weighted", removal.dropTop());
      m.put(prefix + "accuracy_drop_without_bottom_weighted", removal.dropBottom());
    }
    if (contradicting > 0) {
      m.put(prefix + "disagreement_precision", disagreement.precision());
      m.put(prefix + "disagreement_recall", disagreement.recall());
      m.put(prefix + "disagreement_f1", disagreement.f1());
    }
    return m;
  }

  /** A few lines for a terminal. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "accuracy %.3f over %d windows", accuracy, windows));
    accuracyByStory.forEach((k, a) -> out.append(String.format(Locale.ROOT, "; %s %.3f", k.id(), a)));
    out.append(System.lineSeparator());
    out.append(String.format(Locale.ROOT,
        "faithfulness: noised modality lowest-weighted in %s of %d noise windows; removing the top-weighted"
            + " modality costs %s accuracy, the bottom-weighted %s (%d windows)%n",
        pct(noisedLowest), noiseWindows, signed(removal.dropTop()), signed(removal.dropBottom()),
        removal.windows()));
    out.append(String.format(Locale.ROOT,
        "disagreement: %d contradicting windows; flag (consistency < %.3f) precision %s recall %s F1 %.3f",
        contradicting, disagreement.threshold(), num(disagreement.precision()), num(disagreement.recall()),
        disagreement.f1()));
    if (bestDisagreement != null) {
      out.append(String.format(Locale.ROOT, " (best threshold on these windows %.3f: F1 %.3f)",
          bestDisagreement.threshold(), bestDisagreement.f1()));
    }
    out.append(System.lineSeparator());
    out.append(String.format(Locale.ROOT, "calibration: ECE (%d bins) %.3f with temperature 1, %.3f with %.3f%n",
        Calibration.BINS, eceBefore, eceAfter, calibration.temperature()));
    return out.toString();
  }

  static String pct(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }

  static String num(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
  }

  static String signed(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%+.3f", v);
  }
}
