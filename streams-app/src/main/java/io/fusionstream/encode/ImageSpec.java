package io.fusionstream.encode;

import java.util.Arrays;

/**
 * How an image model wants its pixels: size, per-channel normalisation {@code (p / 255 - mean) /
 * std}, channel order and tensor layout.
 */
public record ImageSpec(
    int width, int height, float[] mean, float[] std, ChannelOrder order, Layout layout) {

  public enum ChannelOrder {
    RGB,
    BGR
  }

  public enum Layout {
    /** [batch, channels, height, width]: PyTorch, most ONNX exports. */
    NCHW,
    /** [batch, height, width, channels]: TensorFlow exports. */
    NHWC
  }

  /** ImageNet statistics, which CLIP-like and ResNet-like towers mostly use. */
  public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};

  public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

  public ImageSpec {
    if (width <= 0 || height <= 0 || mean.length != 3 || std.length != 3) {
      throw new IllegalArgumentException(
          "need a positive size and 3 means and stds: " + width + "x" + height + " "
              + Arrays.toString(mean) + " " + Arrays.toString(std));
    }
    for (float s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("std must be positive: " + Arrays.toString(std));
      }
    }
  }

  /** Pixels in [0, 1], RGB, NCHW: what the built-in feature block takes. */
  public static ImageSpec unitRange(int width, int height) {
    return new ImageSpec(
        width, height, new float[] {0, 0, 0}, new float[] {1, 1, 1}, ChannelOrder.RGB, Layout.NCHW);
  }
}
