package io.fusionstream.encode;

import io.fusionstream.decode.AudioDecoder;
import io.fusionstream.decode.DecodedAudio;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Audio chunks to the model's input: the zero-padded waveform (plus true lengths for the built-in
 * block), or the log-mel spectrogram, which is computed on a PyTorch manager whatever engine runs
 * the model, because only PyTorch's NDArray has the STFT.
 */
final class AudioPreprocessor implements Preprocessor<DecodedAudio> {
  private final AudioSpec spec;
  private final OutputSpec output;
  private final boolean withLengths;
  private final String inputName;
  private final LogMelSpectrogram logMel;

  /**
   * @param withLengths add a second input with each chunk's true length (built-in block)
   * @param inputName the model's input name, or null to pass by position
   */
  AudioPreprocessor(AudioSpec spec, OutputSpec output, boolean withLengths, String inputName) {
    this.spec = spec;
    this.output = output;
    this.withLengths = withLengths;
    this.inputName = inputName;
    this.logMel = new LogMelSpectrogram(spec);
    if (spec.input() != AudioSpec.Input.WAVEFORM) {
      TorchThreads.configure(TorchThreads.DEFAULT);
    }
  }

  @Override
  public NDList toInput(NDManager manager, List<DecodedAudio> batch) {
    int longest = 0;
    for (DecodedAudio audio : batch) {
      if (audio.sampleRate() != spec.sampleRate()) {
        throw new IllegalArgumentException(
            "audio at " + audio.sampleRate() + " Hz, model expects " + spec.sampleRate()
                + " Hz: decode with AudioDecoder(limits, " + spec.sampleRate() + ")");
      }
      longest = Math.max(longest, audio.samples().length);
    }
    // At least one FFT frame, and whole hops so the built-in block can reshape into blocks.
    int padded = Math.max(longest, spec.fftSize());
    padded = (padded + spec.hop() - 1) / spec.hop() * spec.hop();
    float[] wave = new float[batch.size() * padded];
    float[] lengths = new float[batch.size()];
    for (int b = 0; b < batch.size(); b++) {
      float[] samples = batch.get(b).samples();
      System.arraycopy(samples, 0, wave, b * padded, samples.length);
      lengths[b] = samples.length;
    }
    Shape shape = new Shape(batch.size(), padded);
    NDArray tensor =
        spec.input() == AudioSpec.Input.WAVEFORM
            ? manager.create(wave, shape)
            : logMelOn(manager, wave, shape);
    if (inputName != null) {
      tensor.setName(inputName);
    }
    return withLengths ? new NDList(tensor, manager.create(lengths)) : new NDList(tensor);
  }

  private NDArray logMelOn(NDManager target, float[] wave, Shape shape) {
    try (NDManager torch = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray mel = logMel.compute(torch.create(wave, shape));
      Shape melShape =
          spec.input() == AudioSpec.Input.LOG_MEL_CHANNEL
              ? new Shape(shape.get(0), 1, mel.getShape().get(1), mel.getShape().get(2))
              : mel.getShape();
      return target.create(mel.toFloatArray(), melShape);
    }
  }

  @Override
  public float[][] toVectors(NDList input, NDList out, int batchSize) {
    return output.rows(output.select(out), batchSize);
  }

  @Override
  public int cost(DecodedAudio input) {
    return input.samples().length;
  }
}
