package io.fusionstream.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.fusionstream.decode.DecodedImage;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * {@code fusion.encoder.device=gpu:0} puts the model, the batch's input tensors and its outputs on
 * that GPU. Runs where an engine sees a GPU (a CUDA machine, built with {@code -Pgpu}); elsewhere
 * each test is skipped with the reason.
 */
class GpuDeviceTest {
  private static final String GPU = "gpu:0";

  @Test
  void builtinImageEncoderRunsOnTheGpu() {
    assumeGpu("PyTorch");
    DjlEncoder<DecodedImage> builtin = BuiltinEncoders.image(GPU, 4);
    assertThat(builtin.device()).isEqualTo(Device.gpu(0));
    assertThat(builtin.model().getNDManager().getDevice()).isEqualTo(Device.gpu(0));
    Recording<DecodedImage> recording = new Recording<>(builtin.preprocessor());
    // The same model, with a preprocessor that notes where each tensor of a batch lives.
    try (DjlEncoder<DecodedImage> encoder = new DjlEncoder<>(builtin.modality(), builtin.modelId(), builtin.dimension(),
        builtin.model(), null, recording, builtin.device(), 4, false)) {
      float[][] onGpu = encoder.encode(List.of(BuiltinImageEncoderTest.noise(48, 40, 1),
          BuiltinImageEncoderTest.stripes(32, 32, true, 4)));
      assertThat(recording.devices).containsExactly(Device.gpu(0));
      try (DjlEncoder<DecodedImage> cpu = BuiltinEncoders.image("cpu", 4)) {
        float[][] onCpu = cpu.encode(List.of(BuiltinImageEncoderTest.noise(48, 40, 1),
            BuiltinImageEncoderTest.stripes(32, 32, true, 4)));
        assertThat(onGpu[0]).containsExactly(onCpu[0], within(1e-3f));
      }
    }
  }

  @Test
  void textEncoderRunsOnTheGpu() {
    assumeGpu("OnnxRuntime");
    try (DjlEncoder<String> text = EncoderFactory.text(EncoderSettings.defaults().withDevice(GPU));
        DjlEncoder<String> cpu = EncoderFactory.text(EncoderSettings.defaults().withDevice("cpu"))) {
      assertThat(text.device()).isEqualTo(Device.gpu(0));
      assertThat(text.model().getNDManager().getDevice()).isEqualTo(Device.gpu(0));
      try (NDManager batch = text.model().getNDManager().newSubManager(Device.gpu(0))) {
        NDList input = text.preprocessor().toInput(batch, List.of("placed on the gpu"));
        assertThat(input).allSatisfy(array -> assertThat(array.getDevice()).isEqualTo(Device.gpu(0)));
      }
      String sentence = "A man is playing a guitar.";
      // GPU kernels sum in another order than the CPU's: close, not identical.
      assertThat(Vectors.cosine(text.encode(List.of(sentence))[0], cpu.encode(List.of(sentence))[0]))
          .isGreaterThan(0.999);
    }
  }

  private static void assumeGpu(String engine) {
    int gpus = Engine.getEngine(engine).getGpuCount();
    assumeTrue(gpus > 0, () -> engine + " sees no GPU on this machine (CPU natives, or no CUDA device/driver):"
        + " run on a GPU machine built with -Pgpu (see docs/encoders.md, GPU)");
  }

  /** Delegates, and notes the device of every input and output tensor of each batch. */
  private static final class Recording<I> implements Preprocessor<I> {
    private final Preprocessor<I> delegate;
    final Set<Device> devices = ConcurrentHashMap.newKeySet();

    Recording(Preprocessor<I> delegate) {
      this.delegate = delegate;
    }

    @Override
    public void prepare(Model model) {
      delegate.prepare(model);
    }

    @Override
    public NDList toInput(NDManager manager, List<I> batch) {
      NDList input = delegate.toInput(manager, batch);
      input.forEach(array -> devices.add(array.getDevice()));
      return input;
    }

    @Override
    public float[][] toVectors(NDList input, NDList output, int batchSize) {
      for (NDArray array : output) {
        devices.add(array.getDevice());
      }
      return delegate.toVectors(input, output, batchSize);
    }

    @Override
    public int cost(I input) {
      return delegate.cost(input);
    }
  }
}
