package io.fusionstream.encode;

import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.decode.DecodedImage;

import ai.djl.Device;
import ai.djl.Model;
import io.fusionstream.schema.Modality;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image and audio encoders that need no weights. They are BASELINES (hand-made features, no
 * learned semantics) for when no model is configured; they run on the PyTorch engine as a block of
 * NDArray operations through the same {@link DjlEncoder} plumbing as a real model.
 */
public final class BuiltinEncoders {
  private static final Logger LOG = LoggerFactory.getLogger(BuiltinEncoders.class);
  private static final String ENGINE = "PyTorch";
  public static final String IMAGE_ID = "builtin-image-colour-hog@1";
  public static final String AUDIO_ID = "builtin-audio-logmel-stats@1";

  private BuiltinEncoders() {}

  public static DjlEncoder<DecodedImage> image(String device, int maxBatchSize) {
    TorchThreads.configure(TorchThreads.DEFAULT);
    Device d = Devices.resolve(device, ENGINE);
    Model model = Model.newInstance(IMAGE_ID, d, ENGINE);
    model.setBlock(ImageFeatureBlock.block());
    int side = ImageFeatureBlock.SIDE;
    LOG.warn(
        "image encoder: built-in BASELINE ({} dims: colour histogram + gradient orientations),"
            + " not a learned model; configure fusion.encoder.image.model for real image semantics",
        ImageFeatureBlock.DIMENSION);
    return new DjlEncoder<>(
        Modality.IMAGE,
        IMAGE_ID,
        ImageFeatureBlock.DIMENSION,
        model,
        null,
        new ImagePreprocessor(ImageSpec.unitRange(side, side), OutputSpec.first(), null),
        d,
        maxBatchSize,
        false);
  }

  public static DjlEncoder<DecodedAudio> audio(AudioSpec spec, String device, int maxBatchSize) {
    if (spec.input() != AudioSpec.Input.WAVEFORM) {
      throw new IllegalArgumentException("the built-in audio encoder takes the waveform");
    }
    TorchThreads.configure(TorchThreads.DEFAULT);
    Device d = Devices.resolve(device, ENGINE);
    Model model = Model.newInstance(AUDIO_ID, d, ENGINE);
    model.setBlock(AudioStatsBlock.block(spec));
    int dimension = AudioStatsBlock.dimension(spec);
    LOG.warn(
        "audio encoder: built-in BASELINE ({} dims: log-mel band statistics, energy, zero"
            + " crossings), not a learned model; configure fusion.encoder.audio.model for speech"
            + " or sound semantics",
        dimension);
    return new DjlEncoder<>(
        Modality.AUDIO,
        AUDIO_ID,
        dimension,
        model,
        null,
        new AudioPreprocessor(spec, OutputSpec.first(), true, null),
        d,
        maxBatchSize,
        true);
  }
}
