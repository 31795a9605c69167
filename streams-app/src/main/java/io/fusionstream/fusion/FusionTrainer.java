package io.fusionstream.fusion;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.fusionstream.schema.Modality;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains a {@link FusionBlock} with DJL's training API on the PyTorch engine (CPU): Adam, the
 * {@link FusionLoss}, modality dropout, early stopping on the validation loss, and the parameters
 * of the best epoch kept. The same seed gives the same model.
 */
public final class FusionTrainer {
  private final PrintStream progress;
  private final boolean redraw;

  /** @param progress where the per-epoch progress bar and metrics go; null for silence */
  public FusionTrainer(PrintStream progress) {
    this(progress, true);
  }

  /**
   * @param progress where the per-epoch metrics go; null for silence
   * @param redraw whether a per-batch bar is redrawn in place too: only on a terminal, since on a
   *     file or pipe every redraw would stay
   */
  public FusionTrainer(PrintStream progress, boolean redraw) {
    this.progress = progress;
    this.redraw = redraw;
  }

  public TrainedFusion train(
      List<LabeledWindow> trainSet,
      List<LabeledWindow> validationSet,
      List<String> labels,
      Map<Modality, Integer> inputDims,
      TrainOptions options) {
    return train(trainSet, validationSet, labels, inputDims, options, NoiseAugmentation.NONE);
  }

  /** Like the other, replacing modalities of training windows by {@code noise} at the options' rate. */
  public TrainedFusion train(
      List<LabeledWindow> trainSet,
      List<LabeledWindow> validationSet,
      List<String> labels,
      Map<Modality, Integer> inputDims,
      TrainOptions options,
      NoiseAugmentation noise) {
    List<LabeledWindow> train = restrict(trainSet, options);
    List<LabeledWindow> validation = restrict(validationSet, options);
    if (train.isEmpty() || validation.isEmpty()) {
      throw new IllegalArgumentException(
          "no training or validation windows with " + options.modalities());
    }
    FusionArchitecture arch = options.architecture(labels, inputDims);
    Engine engine = Engine.getEngine(DjlFusionModel.ENGINE);
    engine.setRandomSeed((int) options.seed());
    Random random = new Random(options.seed());

    try (Model model = Model.newInstance("fusion", Device.cpu(), DjlFusionModel.ENGINE)) {
      FusionBlock block = new FusionBlock(arch);
      model.setBlock(block);
      Optimizer adam =
          Optimizer.adam()
              .optLearningRateTracker(Tracker.fixed(options.learningRate()))
              .optWeightDecays(options.weightDecay())
              .build();
      DefaultTrainingConfig config =
          new DefaultTrainingConfig(new FusionLoss(options.auxWeight(), options.trustWeight()))
              .optOptimizer(adam)
              .optDevices(new Device[] {Device.cpu()});
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(block.inputShapes(options.batchSize()));
        for (Modality m : FusionArchitecture.ORDER) {
          Standardisation s = Standardisation.fit(train, m, arch.inputDim(m));
          block.setStandardisation(m, s.mean(), s.scale());
        }
        return loop(trainer, block, arch, train, validation, options, noise, random);
      }
    }
  }

  private TrainedFusion loop(
      Trainer trainer,
      FusionBlock block,
      FusionArchitecture arch,
      List<LabeledWindow> train,
      List<LabeledWindow> validation,
      TrainOptions options,
      NoiseAugmentation noise,
      Random random) {
    List<EpochMetrics> history = new ArrayList<>();
    List<LabeledWindow> order = new ArrayList<>(train);
    byte[] best = snapshot(block);
    double bestLoss = Double.POSITIVE_INFINITY;
    int bestEpoch = 0;
    int sinceBest = 0;
    int batches = (order.size() + options.batchSize() - 1) / options.batchSize();
    for (int epoch = 1; epoch <= options.epochs(); epoch++) {
      Collections.shuffle(order, random);
      double lossSum = 0;
      int correct = 0;
      for (int b = 0; b < batches; b++) {
        List<LabeledWindow> batch =
            order.subList(b * options.batchSize(), Math.min(order.size(), (b + 1) * options.batchSize()));
        List<FusionInput> inputs = new ArrayList<>(batch.size());
        int[] labels = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
          FusionInput kept = ModalityDropout.apply(batch.get(i).input(), options.modalityDropout(), random);
          inputs.add(noise.apply(kept, options.noiseAugmentation(), random));
          labels[i] = batch.get(i).label();
        }
        try (NDManager scope = trainer.getManager().newSubManager()) {
          NDList x = FusionTensors.inputs(scope, arch, inputs);
          NDArray y = FusionTensors.labels(scope, labels);
          try (GradientCollector collector = trainer.newGradientCollector()) {
            NDList prediction = trainer.forward(x);
            NDArray loss = trainer.getLoss().evaluate(new NDList(y), prediction);
            collector.backward(loss);
            lossSum += loss.getFloat() * batch.size();
            correct += countCorrect(prediction.get(FusionBlock.LOGITS), labels);
          }
          trainer.step();
        }
        progressBar(epoch, options.epochs(), b + 1, batches, lossSum / ((b + 1.0) * options.batchSize()));
      }
      double[] val = evaluate(trainer, block, arch, validation);
      EpochMetrics metrics =
          new EpochMetrics(epoch, lossSum / train.size(), correct / (double) train.size(), val[0], val[1]);
      history.add(metrics);
      if (progress != null) {
        // padded so the line fully covers the progress bar it replaces
        progress.print("\r" + String.format("%-72s", metrics) + System.lineSeparator());
      }
      if (val[0] < bestLoss - 1e-4) {
        bestLoss = val[0];
        bestEpoch = epoch;
        best = snapshot(block);
        sinceBest = 0;
      } else if (++sinceBest >= options.patience()) {
        if (progress != null) {
          progress.printf("early stop: no better validation loss for %d epochs, keeping epoch %d%n",
              options.patience(), bestEpoch);
        }
        break;
      }
    }
    return new TrainedFusion(arch, best, List.copyOf(history), Math.max(1, bestEpoch), options);
  }

  /** Validation loss and accuracy, without dropout of any kind. */
  private static double[] evaluate(
      Trainer trainer, FusionBlock block, FusionArchitecture arch, List<LabeledWindow> windows) {
    try (NDManager scope = trainer.getManager().newSubManager()) {
      List<FusionInput> inputs = new ArrayList<>(windows.size());
      int[] labels = new int[windows.size()];
      for (int i = 0; i < windows.size(); i++) {
        inputs.add(windows.get(i).input());
        labels[i] = windows.get(i).label();
      }
      NDList out =
          block.forward(new ParameterStore(scope, false), FusionTensors.inputs(scope, arch, inputs), false);
      float loss = trainer.getLoss().evaluate(new NDList(FusionTensors.labels(scope, labels)), out).getFloat();
      return new double[] {loss, countCorrect(out.get(FusionBlock.LOGITS), labels) / (double) labels.length};
    }
  }

  private static int countCorrect(NDArray logits, int[] labels) {
    long[] predicted = logits.argMax(1).toLongArray();
    int correct = 0;
    for (int i = 0; i < labels.length; i++) {
      if (predicted[i] == labels[i]) {
        correct++;
      }
    }
    return correct;
  }

  private static byte[] snapshot(FusionBlock block) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      block.saveParameters(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot snapshot the fusion parameters", e);
    }
    return bytes.toByteArray();
  }

  private static List<LabeledWindow> restrict(List<LabeledWindow> windows, TrainOptions options) {
    List<LabeledWindow> kept = new ArrayList<>(windows.size());
    for (LabeledWindow w : windows) {
      w.restrictedTo(options.modalities()).ifPresent(kept::add);
    }
    return kept;
  }

  private void progressBar(int epoch, int epochs, int done, int total, double loss) {
    if (progress == null || !redraw) {
      return;
    }
    int width = 24;
    int filled = done * width / total;
    progress.printf(
        java.util.Locale.ROOT,
        "\repoch %3d/%d [%s%s] %d/%d loss %.4f",
        epoch, epochs, "=".repeat(filled), " ".repeat(width - filled), done, total, loss);
    progress.flush();
  }

  /** Dims of each modality as found in the windows; every modality must occur at least once. */
  public static Map<Modality, Integer> inputDims(List<LabeledWindow> windows) {
    Map<Modality, Integer> dims = new EnumMap<>(Modality.class);
    for (LabeledWindow w : windows) {
      w.input().pooled().forEach((m, v) -> dims.putIfAbsent(m, v.length));
    }
    return dims;
  }
}
