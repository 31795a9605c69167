package io.fusionstream.cli;

import io.fusionstream.encode.EncoderSettings;
import io.fusionstream.encode.TorchThreads;
import picocli.CommandLine.Option;

/**
 * The encoder flags of the commands that encode a manifest themselves (train, evaluate): a model
 * is only usable with the encoders it was trained on, so both must take the same flags.
 */
final class EncoderOptions {
  @Option(names = "--text-model", defaultValue = "minilm", description = "Text encoder: minilm, bge-zh or a model directory (default ${DEFAULT-VALUE}).")
  String textModel;

  @Option(names = "--image-model", defaultValue = EncoderSettings.BUILTIN, description = "Image encoder (default ${DEFAULT-VALUE}).")
  String imageModel;

  @Option(names = "--audio-model", defaultValue = EncoderSettings.BUILTIN, description = "Audio encoder (default ${DEFAULT-VALUE}).")
  String audioModel;

  @Option(names = "--torchscript-allow-writable",
      description = "Load a TorchScript model even from a file or directory this process can write"
          + " (fusion.encoder.torchscript.allow.writable; TorchScript is code, see docs/security.md).")
  boolean torchScriptAllowWritable;

  @Option(names = "--threads", defaultValue = "1", description = "PyTorch CPU threads (default ${DEFAULT-VALUE}).")
  int threads;

  /** Sets PyTorch's thread count (once per process) and returns the encoders these flags name. */
  EncoderSettings apply() {
    TorchThreads.configure(threads);
    return EncoderSettings.defaults().withTextModel(textModel).withImageModel(imageModel)
        .withAudioModel(audioModel).withTorchScriptAllowWritable(torchScriptAllowWritable);
  }
}
