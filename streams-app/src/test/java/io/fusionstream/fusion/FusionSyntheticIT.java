package io.fusionstream.fusion;

import static org.assertj.core.api.Assertions.assertThat;

import io.fusionstream.encode.EncoderFactory;
import io.fusionstream.encode.EncoderSettings;
import io.fusionstream.encode.Encoders;
import io.fusionstream.decode.Limits;
import io.fusionstream.decode.MediaFiles;
import io.fusionstream.fusion.synth.SyntheticDataset;
import io.fusionstream.schema.Modality;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fusion on the synthetic dataset with the real encoders (MiniLM text, built-in image and
 * audio features): fixed seeds, 400 sessions, a held-out quarter; the same split and training
 * seed as {@code fusion train --compare} with its defaults. The dataset and its vector
 * cache live in target/fusion-it, so a rerun skips generation and encoding.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FusionSyntheticIT {
  static final int SESSIONS = 400;
  static final long DATA_SEED = 42;
  static final long SPLIT_SEED = 42; // the train command's default --seed

  static {
    // must precede the first use of PyTorch in this JVM; see encode.TorchThreads
    System.setProperty("ai.djl.pytorch.num_threads", "1");
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
  }

  static Encoders encoders;
  static EncodedDataset data;
  static DataSplit split;
  static Comparison comparison;

  @BeforeAll
  static void trainEverything() throws Exception {
    Path dir = Path.of("target", "fusion-it", "synth" + SESSIONS);
    if (!Files.exists(dir.resolve(SyntheticDataset.MANIFEST))) {
      SyntheticDataset.generate(dir, SESSIONS, DATA_SEED);
    }
    encoders = EncoderFactory.create(EncoderSettings.defaults().withDevice("cpu"));
    data = DatasetEncoder.of(encoders, System.out)
        .encode(Manifest.read(dir.resolve(SyntheticDataset.MANIFEST)), SyntheticDataset.LABELS);
    split = DataSplit.stratified(data.windows(), SPLIT_SEED, 0.2, 0.25);
    comparison = Comparison.run(split, data, TrainOptions.defaults(FusionStrategy.ATTENTION), System.out);
    String table = comparison.table();
    System.out.println(table);
    Files.writeString(dir.resolveSibling("compare.md"), table);
  }

  @AfterAll
  static void close() {
    if (encoders != null) {
      encoders.close();
    }
  }

  private static double singleAccuracy(Modality m) {
    return comparison.row(m.name().toLowerCase(Locale.ROOT) + " only").result().accuracy();
  }

  @Test
  void attentionBeatsTheBestSingleModalityByTenPoints() {
    double bestSingle = 0;
    for (Modality m : Modality.values()) {
      bestSingle = Math.max(bestSingle, singleAccuracy(m));
    }
    assertThat(comparison.row("attention").result().accuracy()).isGreaterThanOrEqualTo(bestSingle + 0.10);
  }

  @Test
  void withAnyModalityRemovedAttentionStaysAtOrAboveTheBestRemainingOne() {
    Evaluation attention = comparison.row("attention").result();
    for (Modality removed : Modality.values()) {
      double bestRemaining = 0;
      for (Modality m : Modality.values()) {
        if (m != removed) {
          bestRemaining = Math.max(bestRemaining, singleAccuracy(m));
        }
      }
      assertThat(attention.accuracyWithout().get(removed))
          .as("attention without %s", removed)
          .isGreaterThanOrEqualTo(bestRemaining);
    }
  }

  @Test
  void aModalityReplacedByNoiseLosesAttentionWeight() throws Exception {
    Path noise = Files.createTempDirectory("fusion-noise");
    int n = split.test().size();
    List<String> texts = new ArrayList<>();
    List<io.fusionstream.decode.DecodedImage> images = new ArrayList<>();
    List<io.fusionstream.decode.DecodedAudio> audio = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      texts.add(SyntheticDataset.noiseText(i));
      Path png = noise.resolve(i + ".png");
      Path wav = noise.resolve(i + ".wav");
      SyntheticDataset.writeNoiseImage(png, i);
      SyntheticDataset.writeNoiseAudio(wav, i);
      images.add(MediaFiles.readImage(png, Limits.defaults()));
      audio.add(MediaFiles.readWav(wav, encoders.audioSampleRate(), Limits.defaults()));
    }
    Map<Modality, float[][]> noiseVectors = new EnumMap<>(Modality.class);
    noiseVectors.put(Modality.TEXT, encoders.text().encode(texts));
    noiseVectors.put(Modality.IMAGE, encoders.image().encode(images));
    noiseVectors.put(Modality.AUDIO, encoders.audio().encode(audio));

    TrainedFusion trained = new FusionTrainer(null).train(split.train(), split.validation(),
        data.labels(), data.dims(), TrainOptions.defaults(FusionStrategy.ATTENTION));
    try (DjlFusionModel model = trained.toModel("noise-check")) {
      List<FusionInput> clean = split.test().stream().map(LabeledWindow::input).toList();
      Map<Modality, Double> before = Evaluation.meanWeights(model, clean);
      for (Modality m : Modality.values()) {
        List<FusionInput> noisy = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          Map<Modality, float[]> pooled = new EnumMap<>(clean.get(i).pooled());
          pooled.put(m, noiseVectors.get(m)[i]);
          noisy.add(new FusionInput(pooled));
        }
        Map<Modality, Double> after = Evaluation.meanWeights(model, noisy);
        System.out.printf(Locale.ROOT, "%s replaced by noise: mean weight %.3f -> %.3f%n",
            m, before.get(m), after.get(m));
        assertThat(after.get(m)).as("weight of %s on noise", m).isLessThan(before.get(m));
      }
    }
  }
}
