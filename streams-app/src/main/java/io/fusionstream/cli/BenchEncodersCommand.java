package io.fusionstream.cli;

import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.decode.DecodedImage;
import io.fusionstream.encode.Encoder;
import io.fusionstream.encode.EncoderBenchmark;
import io.fusionstream.encode.EncoderFactory;
import io.fusionstream.encode.EncoderSettings;
import io.fusionstream.encode.SyntheticInputs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code fusion bench encoders}: items per second of each modality's encoder per batch size. */
@Command(
    name = "encoders",
    mixinStandardHelpOptions = true,
    description = {
      "Measures the encoders on generated inputs (sentences, synthetic images, synthetic audio):",
      "items/s, ms per batch and the speed-up of each batch size over batch 1, after a warm-up.",
      "Inputs are already decoded: this times the model, not JPEG or WAV decoding."
    },
    footer = {"", "Examples:", "  ./fusion bench encoders",
        "  ./fusion bench encoders --modality text --batch-sizes 1,16,64 --seconds 5 --device gpu:0"})
public final class BenchEncodersCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--modality", split = ",", defaultValue = "text,image,audio",
      description = "Modalities to measure (default ${DEFAULT-VALUE}).")
  List<String> modalities;

  @Option(names = "--batch-sizes", split = ",", defaultValue = "1,8,32,64",
      description = "Batch sizes; the first is the speed-up baseline (default ${DEFAULT-VALUE}).")
  int[] batchSizes;

  @Option(names = "--seconds", defaultValue = "3",
      description = "Measuring time per batch size, after warm-up (default ${DEFAULT-VALUE}).")
  double seconds;

  @Option(names = "--warmup", defaultValue = "3",
      description = "Warm-up batches per batch size (default ${DEFAULT-VALUE}).")
  int warmUp;

  @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu:N (default ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--text-model", defaultValue = "minilm",
      description = "minilm, bge-zh, or a model directory (default ${DEFAULT-VALUE}).")
  String textModel;

  @Option(names = "--image-model", defaultValue = "builtin",
      description = "builtin or a model directory with model.json (default ${DEFAULT-VALUE}).")
  String imageModel;

  @Option(names = "--audio-model", defaultValue = "builtin",
      description = "builtin or a model directory with model.json (default ${DEFAULT-VALUE}).")
  String audioModel;

  @Option(names = "--torchscript-allow-writable",
      description = "Load a TorchScript model even from a file or directory this process can write"
          + " (fusion.encoder.torchscript.allow.writable; TorchScript is code, see docs/security.md).")
  boolean torchScriptAllowWritable;

  @Option(names = "--model-dir", description = "Where model names are looked up.")
  Path modelDir;

  @Option(names = "--image-size", defaultValue = "320x240",
      description = "Synthetic image size WxH (default ${DEFAULT-VALUE}).")
  String imageSize;

  @Option(names = "--audio-seconds", defaultValue = "1.0",
      description = "Length of each synthetic audio chunk (default ${DEFAULT-VALUE}).")
  double audioSeconds;

  @Option(names = "--torch-threads", defaultValue = "1",
      description = "Threads per PyTorch op, 0 = PyTorch default (default ${DEFAULT-VALUE}).")
  int torchThreads;

  @Option(names = "--onnx-threads", defaultValue = "1",
      description = "ONNX Runtime intra-op threads, 0 = its default (default ${DEFAULT-VALUE}).")
  int onnxThreads;

  @Option(names = "--bucket-by-length", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Split a call's inputs into batches of similar length, as the pipeline does"
          + " (default ${DEFAULT-VALUE}); --no-bucket-by-length measures exact batch sizes.")
  boolean bucketByLength;

  @Override
  public Integer call() {
    validate();
    int largest = Arrays.stream(batchSizes).max().orElse(1);
    EncoderSettings settings = EncoderSettings.defaults()
        .withTextModel(textModel).withImageModel(imageModel).withAudioModel(audioModel)
        .withModelDir(modelDir).withDevice(device).withMaxBatchSize(largest)
        .withTorchThreads(torchThreads).withOnnxThreads(onnxThreads).withBucketByLength(bucketByLength)
        .withTorchScriptAllowWritable(torchScriptAllowWritable);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("Encoder benchmark: %d CPU cores visible, device %s, %.1f s per batch size, %d warm-up"
            + " batches, %d ONNX / %d PyTorch thread(s), bucketing %s%n%n",
        Runtime.getRuntime().availableProcessors(), device, seconds, warmUp, onnxThreads, torchThreads,
        bucketByLength ? "on" : "off");
    EncoderBenchmark.printHeader(out);
    int poolSize = Math.max(largest * 4, 64);
    for (String modality : modalities) {
      switch (modality.trim().toLowerCase(Locale.ROOT)) {
        case "text" -> {
          try (Encoder<String> encoder = EncoderFactory.text(settings)) {
            measure(out, encoder, SyntheticInputs.sentences(poolSize, 1));
          }
        }
        case "image" -> {
          int[] wh = size();
          try (Encoder<DecodedImage> encoder = EncoderFactory.image(settings)) {
            measure(out, encoder, SyntheticInputs.images(poolSize, wh[0], wh[1], 2));
          }
        }
        case "audio" -> {
          int rate = EncoderFactory.audioSpec(settings).sampleRate();
          try (Encoder<DecodedAudio> encoder = EncoderFactory.audio(settings)) {
            measure(out, encoder, SyntheticInputs.audio(poolSize, audioSeconds, rate, 3));
          }
        }
        default -> throw new ParameterException(spec.commandLine(), "unknown modality '" + modality
            + "': use text, image or audio");
      }
    }
    return 0;
  }

  private <I> void measure(PrintWriter out, Encoder<I> encoder, List<I> pool) {
    for (EncoderBenchmark.Row row : EncoderBenchmark.run(encoder, pool, batchSizes, warmUp, seconds)) {
      EncoderBenchmark.print(out, row);
      out.flush();
    }
  }

  private void validate() {
    if (batchSizes.length == 0 || Arrays.stream(batchSizes).anyMatch(b -> b <= 0)) {
      throw new ParameterException(spec.commandLine(), "batch sizes must be positive");
    }
    if (!(seconds > 0) || warmUp < 0 || !(audioSeconds > 0)) {
      throw new ParameterException(spec.commandLine(), "--seconds and --audio-seconds must be positive");
    }
    size();
  }

  private int[] size() {
    String[] parts = imageSize.toLowerCase(Locale.ROOT).split("x");
    try {
      int[] wh = {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
      if (parts.length == 2 && wh[0] > 0 && wh[1] > 0) {
        return wh;
      }
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      // reported below
    }
    throw new ParameterException(spec.commandLine(), "--image-size must look like 320x240: " + imageSize);
  }
}
