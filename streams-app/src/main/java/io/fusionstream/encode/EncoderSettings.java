package io.fusionstream.encode;

import io.fusionstream.encode.OutputSpec.Pooling;
import java.nio.file.Path;

/**
 * Which models encode each modality, and how. Plain values, so the typed config can build it.
 *
 * @param textModel {@code minilm} (default), {@code bge-zh}, a model name under {@code modelDir},
 *     or a directory path (model.json, or model.onnx + tokenizer.json)
 * @param textPooling pooling for a text model directory without model.json
 * @param imageModel {@code builtin} (baseline features) or a model name / directory with model.json
 * @param audioModel {@code builtin} (baseline features) or a model name / directory with model.json
 * @param modelDir where model names are looked up, like a model repository; may be null
 * @param device {@code auto}, {@code cpu} or {@code gpu:N}
 * @param maxBatchSize the most inputs one model call gets
 * @param maxSequenceLength tokens per text; longer texts are truncated, never refused
 * @param bucketByLength sort a call's inputs by length into separate batches, so one long text does
 *     not pad a batch of short ones
 * @param audio spectrogram parameters of the built-in audio encoder
 * @param torchThreads threads per PyTorch op (built-in encoders, log-mel); 0: DJL's default
 * @param onnxThreads ONNX Runtime intra-op threads per session (default 1: parallelism comes from
 *     the stream threads, each with its own predictor); 0: ONNX Runtime's default (all cores)
 * @param torchScriptAllowWritable load a TorchScript model even when its file or directory is
 *     writable by this process (a TorchScript file is code: whoever can replace it runs code here)
 */
public record EncoderSettings(
    String textModel,
    Pooling textPooling,
    String imageModel,
    String audioModel,
    Path modelDir,
    String device,
    int maxBatchSize,
    int maxSequenceLength,
    boolean bucketByLength,
    AudioSpec audio,
    int torchThreads,
    int onnxThreads,
    boolean torchScriptAllowWritable) {

  public static final String BUILTIN = "builtin";

  public EncoderSettings {
    if (maxBatchSize <= 0 || maxSequenceLength <= 1) {
      throw new IllegalArgumentException(
          "max batch size and max sequence length must be positive: " + maxBatchSize + ", "
              + maxSequenceLength);
    }
  }

  public static EncoderSettings defaults() {
    return new EncoderSettings(
        "minilm", Pooling.MEAN, BUILTIN, BUILTIN, null, "auto", 32, 256, true, AudioSpec.defaults(),
        TorchThreads.DEFAULT, 1, false);
  }

  public EncoderSettings withTextModel(String model) {
    return new EncoderSettings(model, textPooling, imageModel, audioModel, modelDir, device,
        maxBatchSize, maxSequenceLength, bucketByLength, audio, torchThreads, onnxThreads, torchScriptAllowWritable);
  }

  public EncoderSettings withImageModel(String model) {
    return new EncoderSettings(textModel, textPooling, model, audioModel, modelDir, device,
        maxBatchSize, maxSequenceLength, bucketByLength, audio, torchThreads, onnxThreads, torchScriptAllowWritable);
  }

  public EncoderSettings withAudioModel(String model) {
    return new EncoderSettings(textModel, textPooling, imageModel, model, modelDir, device,
        maxBatchSize, maxSequenceLength, bucketByLength, audio, torchThreads, onnxThreads, torchScriptAllowWritable);
  }

  public EncoderSettings withModelDir(Path dir) {
    return new EncoderSettings(textModel, textPooling, imageModel, audioModel, dir, device,
        maxBatchSize, maxSequenceLength, bucketByLength, audio, torchThreads, onnxThreads, torchScriptAllowWritable);
  }

  public EncoderSettings withDevice(String value) {
    return new EncoderSettings(textModel, textPooling, imageModel, audioModel, modelDir, value,
        maxBatchSize, maxSequenceLength, bucketByLength, audio, torchThreads, onnxThreads, torchScriptAllowWritable);
  }

  public EncoderSettings withMaxBatchSize(int size) {
    return new EncoderSettings(textModel, textPooling, imageModel, audioModel, modelDir, device,
        size, maxSequenceLength, bucketByLength, audio, torchThreads, onnxThreads, torchScriptAllowWritable);
  }

  public EncoderSettings withMaxSequenceLength(int tokens) {
    return new EncoderSettings(textModel, textPooling, imageModel, audioModel, modelDir, device,
        maxBatchSize, tokens, bucketByLength, audio, torchThreads, onnxThreads, torchScriptAllowWritable);
  }

  public EncoderSettings withBucketByLength(boolean bucket) {
    return new EncoderSettings(textModel, textPooling, imageModel, audioModel, modelDir, device,
        maxBatchSize, maxSequenceLength, bucket, audio, torchThreads, onnxThreads, torchScriptAllowWritable);
  }

  public EncoderSettings withAudio(AudioSpec spec) {
    return new EncoderSettings(textModel, textPooling, imageModel, audioModel, modelDir, device,
        maxBatchSize, maxSequenceLength, bucketByLength, spec, torchThreads, onnxThreads, torchScriptAllowWritable);
  }

  public EncoderSettings withTorchThreads(int threads) {
    return new EncoderSettings(textModel, textPooling, imageModel, audioModel, modelDir, device,
        maxBatchSize, maxSequenceLength, bucketByLength, audio, threads, onnxThreads, torchScriptAllowWritable);
  }

  public EncoderSettings withOnnxThreads(int threads) {
    return new EncoderSettings(textModel, textPooling, imageModel, audioModel, modelDir, device,
        maxBatchSize, maxSequenceLength, bucketByLength, audio, torchThreads, threads, torchScriptAllowWritable);
  }

  public EncoderSettings withTorchScriptAllowWritable(boolean allow) {
    return new EncoderSettings(textModel, textPooling, imageModel, audioModel, modelDir, device,
        maxBatchSize, maxSequenceLength, bucketByLength, audio, torchThreads, onnxThreads, allow);
  }
}
