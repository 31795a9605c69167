package io.fusionstream.cli;


import io.fusionstream.encode.EncoderFactory;
import io.fusionstream.encode.EncoderSettings;
import io.fusionstream.encode.Encoders;
import io.fusionstream.fusion.Comparison;
import io.fusionstream.fusion.DataSplit;
import io.fusionstream.fusion.DatasetEncoder;
import io.fusionstream.fusion.DjlFusionModel;
import io.fusionstream.fusion.EncodedDataset;
import io.fusionstream.fusion.Evaluation;
import io.fusionstream.fusion.FusionStrategy;
import io.fusionstream.fusion.FusionTrainer;
import io.fusionstream.fusion.Manifest;
import io.fusionstream.fusion.ModelCalibration;
import io.fusionstream.fusion.ModelVersions;
import io.fusionstream.fusion.NoiseAugmentation;
import io.fusionstream.fusion.TrainOptions;
import io.fusionstream.fusion.TrainedFusion;
import io.fusionstream.fusion.explain.ExplanationReport;
import io.fusionstream.fusion.explain.WindowStory;
import io.fusionstream.schema.Modality;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Trains a fusion model on a manifest and publishes it as the next version of a model directory,
 * where a running pipeline picks it up without a restart; or compares all strategies.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train the fusion layer (DJL, PyTorch engine, CPU, offline) on a JSONL manifest and save it"
          + " as the next version (v0001, v0002...) of a model directory.",
      "Inputs are encoded once and cached in the dataset's .fusion-cache folder.",
      "--compare trains every strategy and each modality alone on the same split and prints a"
          + " table: accuracy, macro-F1, and accuracy with each modality removed at test time;"
          + " then, per fused strategy, the explanation figures (faithfulness of the weights,"
          + " disagreement detection, calibration) against the stories of a dataset made with"
          + " dataset synth --stories.",
      "The saved model carries a temperature (scores) and a disagreement threshold (consistency),"
          + " both fitted on the validation split; serving applies them."
    },
    footer = {"", "Examples:",
        "  ./fusion train --data data/synth/manifest.jsonl --strategy attention --epochs 60 --out models",
        "  ./fusion train --data data/synth/manifest.jsonl --compare"})
public final class TrainCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin EncoderOptions encoderOptions;

  @Option(names = "--data", required = true, paramLabel = "MANIFEST", description = "The JSONL manifest (see docs/fusion.md).")
  Path data;

  @Option(names = "--strategy", defaultValue = "attention",
      description = "concat, mean, weighted, max, attention or gated (default ${DEFAULT-VALUE}).")
  String strategy;

  @Option(names = "--epochs", defaultValue = "60", description = "Most epochs; early stopping usually ends sooner (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--out", paramLabel = "DIR", description = "Model directory to publish the new version into. Required unless --compare.")
  Path out;

  @Option(names = "--compare", description = "Train and compare all strategies and single modalities.")
  boolean compare;

  @Option(names = "--labels", split = ",", description = "Label order, e.g. positive,neutral,negative (default: order of first appearance).")
  List<String> labels;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the split, initialisation, shuffling and dropout (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--batch-size", defaultValue = "32", description = "Training batch size (default ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--learning-rate", defaultValue = "0.003", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
  float learningRate;

  @Option(names = "--patience", defaultValue = "10", description = "Epochs without a better validation loss before stopping (default ${DEFAULT-VALUE}).")
  int patience;

  @Option(names = "--modality-dropout", defaultValue = "0.25", description = "Chance of hiding each modality of a training window (default ${DEFAULT-VALUE}).")
  float modalityDropout;

  @Option(names = "--noise-augmentation", defaultValue = "0.1", description = "Chance of replacing one modality of a"
      + " training window by the vector of a noise input (garbled transcript, random pixels, white noise), so a"
      + " broken sensor gets the lowest weight; 0 turns it off (default ${DEFAULT-VALUE}).")
  float noiseAugmentation;

  @Option(names = "--validation", defaultValue = "0.2", description = "Share of sessions for validation (default ${DEFAULT-VALUE}).")
  double validation;

  @Option(names = "--test", defaultValue = "0.25", description = "Share of sessions held out for the test figures (default ${DEFAULT-VALUE}).")
  double test;

  /**
   * Generates the synthetic dataset into {@code datasetDir} and trains the next model version into
   * {@code modelDir}, as {@code dataset synth} then {@code train} would: how the demo, the benchmark
   * and the end-to-end tests get a model to serve. {@code extraArgs} are further train options.
   */
  public static void trainOnSynthetic(Path datasetDir, int sessions, long seed, Path modelDir, String... extraArgs)
      throws java.io.IOException {
    Files.createDirectories(modelDir);
    Path manifest = io.fusionstream.fusion.synth.SyntheticDataset.generate(datasetDir, sessions, seed);
    String[] args = new String[4 + extraArgs.length];
    args[0] = "--data";
    args[1] = manifest.toString();
    args[2] = "--out";
    args[3] = modelDir.toString();
    System.arraycopy(extraArgs, 0, args, 4, extraArgs.length);
    int code = new CommandLine(new TrainCommand()).execute(args);
    if (code != 0) {
      throw new IllegalStateException("Training a fusion model on synthetic data failed (exit code " + code + ")");
    }
  }

  /** Noise inputs made once per dataset (kept in its cache folder) and encoded like the data. */
  private NoiseAugmentation noiseVectors(DatasetEncoder encoder, Manifest manifest, List<String> order)
      throws java.io.IOException {
    Path folder = manifest.folder().resolve(DatasetEncoder.CACHE_FOLDER).resolve("noise-inputs");
    Path noiseManifest = folder.resolve(io.fusionstream.fusion.synth.SyntheticDataset.MANIFEST);
    if (!Files.isRegularFile(noiseManifest)) {
      io.fusionstream.fusion.synth.SyntheticDataset.generateNoise(folder, NOISE_INPUTS, 1L, order.get(0));
    }
    return NoiseAugmentation.of(encoder.encode(Manifest.read(noiseManifest), order).windows());
  }

  /** Enough distinct noise vectors per modality that the model cannot memorise them. */
  private static final int NOISE_INPUTS = 64;

  @Override
  public Integer call() throws Exception {
    if (out == null && !compare) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--out is required unless --compare");
    }
    if (!Files.isRegularFile(data)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "no manifest at " + data);
    }
    FusionStrategy chosen;
    try {
      chosen = FusionStrategy.parse(strategy);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    TrainOptions defaults = TrainOptions.defaults(chosen);
    TrainOptions options =
        new TrainOptions(chosen, EnumSet.allOf(Modality.class), epochs, batchSize, learningRate,
            defaults.weightDecay(), patience, modalityDropout, defaults.auxWeight(), defaults.trustWeight(),
            noiseAugmentation, defaults.sharedDim(), defaults.attentionDim(), defaults.hiddenDim(), defaults.dropout(),
            seed);

    EncoderSettings settings = encoderOptions.apply();
    EncodedDataset dataset;
    Manifest manifest = Manifest.read(data);
    Map<String, WindowStory> stories = WindowStory.of(manifest);
    NoiseAugmentation noise = NoiseAugmentation.NONE;
    try (Encoders encoders = EncoderFactory.create(settings)) {
      DatasetEncoder encoder = DatasetEncoder.of(encoders, System.out);
      dataset = encoder.encode(manifest, labels);
      if (options.noiseAugmentation() > 0) {
        // quietly: the per-modality counts printed are those of the dataset
        noise = noiseVectors(DatasetEncoder.of(encoders, null), manifest, dataset.labels());
      }
    }
    DataSplit split = DataSplit.stratified(dataset.windows(), seed, validation, test);
    System.out.printf("%d sessions: %d train, %d validation, %d test; labels %s%n",
        dataset.windows().size(), split.train().size(), split.validation().size(),
        split.test().size(), dataset.labels());

    if (compare) {
      Comparison comparison = Comparison.run(split, dataset, options, System.out, stories, noise);
      System.out.println();
      System.out.print(comparison.table());
      System.out.println();
      System.out.println("Explanations on the test windows (temperature and disagreement threshold fitted on"
          + " validation" + (stories.isEmpty() ? "; the manifest records no stories, so the threshold stays 0.5"
          + " and the faithfulness and disagreement figures have no ground truth" : "") + "):");
      System.out.println();
      System.out.print(comparison.explanationTable());
    }
    if (out == null) {
      return 0;
    }
    TrainedFusion trained =
        new FusionTrainer(System.out, Progress.isTerminal()).train(split.train(), split.validation(), dataset.labels(),
            dataset.dims(), options, noise);
    Map<String, Object> metrics = new LinkedHashMap<>();
    ModelCalibration calibration;
    try (DjlFusionModel raw = trained.toModel("candidate")) {
      calibration = ExplanationReport.fit(raw, split.validation(), stories);
    }
    try (DjlFusionModel model = trained.toModel("candidate", calibration)) {
      Evaluation result = Evaluation.of(model, split.test(), options.modalities());
      metrics.put("test_accuracy", result.accuracy());
      metrics.put("test_macro_f1", result.macroF1());
      result.accuracyWithout().forEach((m, acc) ->
          metrics.put("test_accuracy_without_" + m.name().toLowerCase(Locale.ROOT), acc));
      metrics.put("dataset", data.toAbsolutePath().toString());
      metrics.put("sessions", Map.of("train", split.train().size(),
          "validation", split.validation().size(), "test", split.test().size()));
      System.out.printf(Locale.ROOT, "test: accuracy %.3f, macro-F1 %.3f%n",
          result.accuracy(), result.macroF1());
      ExplanationReport explanation =
          ExplanationReport.evaluate(model, split.test(), stories, options.modalities());
      metrics.putAll(explanation.metrics("test_"));
      System.out.print(explanation.describe());
    }
    String version = ModelVersions.next(out);
    Path saved = ModelVersions.publish(out, version,
        dir -> trained.saveTo(dir, version, dataset.encoderIds(), metrics, calibration));
    System.out.println("saved model " + version + " to " + saved);
    return 0;
  }
}
