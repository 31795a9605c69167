package io.fusionstream.encode;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/** Parses the {@code fusion.encoder.device} setting: {@code auto}, {@code cpu}, {@code gpu:N}. */
public final class Devices {
  private Devices() {}

  /**
   * @param spec {@code auto} (a GPU when the engine sees one, else the CPU), {@code cpu}, {@code
   *     gpu} (= gpu:0) or {@code gpu:N}
   * @param engineName the DJL engine that will run the model, e.g. {@code OnnxRuntime}
   * @throws IllegalArgumentException for an unknown spec or a GPU the engine does not see
   */
  public static Device resolve(String spec, String engineName) {
    String s = spec == null ? "auto" : spec.trim().toLowerCase(Locale.ROOT);
    if (s.equals("cpu")) {
      return Device.cpu();
    }
    int gpus = Engine.getEngine(engineName).getGpuCount();
    if (s.equals("auto")) {
      return gpus > 0 ? Device.gpu() : Device.cpu();
    }
    if (s.equals("gpu") || s.startsWith("gpu:")) {
      int id;
      try {
        id = s.equals("gpu") ? 0 : Integer.parseInt(s.substring(4));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad device '" + spec + "', expected gpu:N", e);
      }
      if (id < 0 || id >= gpus) {
        throw new IllegalArgumentException(
            "device " + spec + " requested but " + engineName + " sees " + gpus
                + " GPU(s); see docs/encoders.md for the GPU setup");
      }
      return Device.gpu(id);
    }
    throw new IllegalArgumentException("unknown device '" + spec + "': use auto, cpu or gpu:N");
  }
}
