package io.fusionstream.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

class DevicesTest {

  @Test
  void cpuAndAutoResolveAccordingToWhatTheEngineSees() {
    assertThat(Devices.resolve("cpu", "OnnxRuntime")).isEqualTo(Device.cpu());
    assertThat(Devices.resolve(" CPU ", "PyTorch")).isEqualTo(Device.cpu());
    boolean gpu = Engine.getEngine("PyTorch").getGpuCount() > 0;
    assertThat(Devices.resolve("auto", "PyTorch")).isEqualTo(gpu ? Device.gpu() : Device.cpu());
  }

  @Test
  void aGpuThatIsNotThereIsAConfigurationError() {
    int gpus = Engine.getEngine("PyTorch").getGpuCount();
    assertThatThrownBy(() -> Devices.resolve("gpu:" + gpus, "PyTorch"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sees " + gpus + " GPU");
  }

  @Test
  void malformedSpecsAreRejected() {
    assertThatThrownBy(() -> Devices.resolve("tpu", "PyTorch")).hasMessageContaining("auto, cpu or gpu:N");
    assertThatThrownBy(() -> Devices.resolve("gpu:x", "PyTorch")).hasMessageContaining("gpu:N");
  }
}
