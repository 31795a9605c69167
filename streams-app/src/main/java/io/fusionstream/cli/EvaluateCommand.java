package io.fusionstream.cli;

import io.fusionstream.encode.EncoderFactory;
import io.fusionstream.encode.EncoderSettings;
import io.fusionstream.encode.Encoders;
import io.fusionstream.fusion.DatasetEncoder;
import io.fusionstream.fusion.DjlFusionModel;
import io.fusionstream.fusion.EncodedDataset;
import io.fusionstream.fusion.EncoderRequirement;
import io.fusionstream.fusion.Evaluation;
import io.fusionstream.fusion.Manifest;
import io.fusionstream.fusion.ModelDescription;
import io.fusionstream.fusion.ModelVersions;
import io.fusionstream.fusion.explain.ExplanationReport;
import io.fusionstream.fusion.explain.WindowStory;
import io.fusionstream.schema.Modality;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Evaluates a saved fusion model, as served (its temperature and disagreement threshold applied),
 * on every window of a manifest: accuracy, and what its predictions say about themselves.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate a saved fusion model on every session of a JSONL manifest, as the pipeline serves it"
          + " (its saved temperature and disagreement threshold applied): accuracy, macro-F1, accuracy"
          + " with each modality removed, and the explanation figures.",
      "Explanations: in windows where one modality is noise, how often it gets the lowest weight; the"
          + " accuracy lost by removing each window's top- vs bottom-weighted modality; precision, recall"
          + " and F1 of the disagreement flag against the contradicting windows; expected calibration"
          + " error of the scores before and after the temperature.",
      "Stories come from a manifest written by dataset synth --stories; use one the model was not"
          + " trained on (another --seed)."
    },
    footer = {"", "Example:",
        "  ./fusion dataset synth --sessions 300 --stories --seed 2028 --out data/stories-eval",
        "  ./fusion evaluate --data data/stories-eval/manifest.jsonl --model models"})
public final class EvaluateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin EncoderOptions encoderOptions;

  @Option(names = "--data", required = true, paramLabel = "MANIFEST", description = "The JSONL manifest (see docs/fusion.md).")
  Path data;

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "A saved model (a folder with model.json) or a model directory, whose newest version is used.")
  Path model;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(data)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "no manifest at " + data);
    }
    Path dir = savedModel(model);
    ModelDescription description = ModelDescription.read(dir);
    Manifest manifest = Manifest.read(data);
    Map<String, WindowStory> stories = WindowStory.of(manifest);
    EncoderSettings settings = encoderOptions.apply();
    EncodedDataset dataset;
    try (Encoders encoders = EncoderFactory.create(settings)) {
      Optional<String> mismatch = EncoderRequirement.of(encoders).mismatch(description);
      if (mismatch.isPresent()) {
        throw new CommandLine.ParameterException(spec.commandLine(), "the model in " + dir
            + " was trained on other encoders than these (" + mismatch.get()
            + "); pass the same --text-model/--image-model/--audio-model as in training");
      }
      dataset = DatasetEncoder.of(encoders, System.out).encode(manifest, description.labels());
    }
    try (DjlFusionModel fusion = DjlFusionModel.load(dir)) {
      EnumSet<Modality> all = EnumSet.allOf(Modality.class);
      Evaluation result = Evaluation.of(fusion, dataset.windows(), all);
      System.out.printf(Locale.ROOT, "model %s (%s) on %d sessions of %s%n", fusion.version(),
          description.strategy(), dataset.windows().size(), data);
      System.out.printf(Locale.ROOT, "accuracy %.3f, macro-F1 %.3f; without text %.3f, without image %.3f,"
              + " without audio %.3f%n", result.accuracy(), result.macroF1(),
          result.accuracyWithout().get(Modality.TEXT), result.accuracyWithout().get(Modality.IMAGE),
          result.accuracyWithout().get(Modality.AUDIO));
      if (stories.isEmpty()) {
        System.out.println("the manifest records no stories (dataset synth --stories writes them): the"
            + " faithfulness and disagreement figures have no ground truth; every window counts as clean");
      } else {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        stories.values().forEach(s -> counts.merge(s.kind().id(), 1, Integer::sum));
        System.out.println("stories: " + counts);
      }
      System.out.print(ExplanationReport.evaluate(fusion, dataset.windows(), stories, all).describe());
    }
    return 0;
  }

  private Path savedModel(Path path) throws java.io.IOException {
    if (Files.isRegularFile(path.resolve(ModelDescription.FILE))) {
      return path;
    }
    if (Files.isDirectory(path)) {
      Optional<Path> newest = ModelVersions.newest(path);
      if (newest.isPresent()) {
        return newest.get();
      }
    }
    throw new CommandLine.ParameterException(spec.commandLine(), "no fusion model at " + path
        + " (expected a folder with " + ModelDescription.FILE + " or version folders of them)");
  }
}
