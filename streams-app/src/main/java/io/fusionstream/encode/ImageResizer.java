package io.fusionstream.encode;

import io.fusionstream.decode.DecodedImage;

/**
 * Separable resize with a triangle (bilinear) kernel whose support widens with the scale factor,
 * so downscaling averages the pixels it drops instead of sampling (and aliasing) them; upscaling is
 * plain bilinear.
 *
 * <p>It reads the 8-bit raster in place and works one output row at a time: the vertical pass
 * blends the source rows of that output row into one float row, the horizontal pass filters that
 * row. Besides the output it holds one row of the source region in floats, never a float copy of
 * the image, and a crop is a region of the source, not a copy.
 */
final class ImageResizer {
  private ImageResizer() {}

  /** A rectangle of the source image. */
  record Region(int x, int y, int width, int height) {}

  /** Returns HWC floats in 0..255, RGB, {@code outW * outH * 3} values. */
  static float[] resize(DecodedImage image, int outW, int outH) {
    return resize(image, new Region(0, 0, image.width(), image.height()), outW, outH);
  }

  /** Resizes {@code region} of the image; HWC floats in 0..255, RGB, {@code outW * outH * 3}. */
  static float[] resize(DecodedImage image, Region region, int outW, int outH) {
    int stride = image.width() * 3;
    byte[] rgb = image.rgb();
    Kernel horizontal = Kernel.of(region.width(), outW);
    Kernel vertical = Kernel.of(region.height(), outH);
    float[] row = new float[region.width() * 3];
    float[] out = new float[outH * outW * 3];
    for (int oy = 0; oy < outH; oy++) {
      java.util.Arrays.fill(row, 0f);
      int[] rows = vertical.taps[oy];
      float[] rowWeights = vertical.weights[oy];
      for (int t = 0; t < rows.length; t++) {
        float w = rowWeights[t];
        int src = (region.y() + rows[t]) * stride + region.x() * 3;
        for (int i = 0; i < row.length; i++) {
          row[i] += w * (rgb[src + i] & 0xff);
        }
      }
      int dst = oy * outW * 3;
      for (int ox = 0; ox < outW; ox++) {
        int[] cols = horizontal.taps[ox];
        float[] colWeights = horizontal.weights[ox];
        float r = 0;
        float g = 0;
        float b = 0;
        for (int t = 0; t < cols.length; t++) {
          int c = cols[t] * 3;
          float w = colWeights[t];
          r += w * row[c];
          g += w * row[c + 1];
          b += w * row[c + 2];
        }
        out[dst++] = r;
        out[dst++] = g;
        out[dst++] = b;
      }
    }
    return out;
  }

  /** The largest centred region of {@code image} with the aspect ratio targetW : targetH. */
  static Region centerCrop(DecodedImage image, int targetW, int targetH) {
    int w = image.width();
    int h = image.height();
    // Compare w / h with targetW / targetH without rounding: w * targetH vs h * targetW.
    long wide = (long) w * targetH;
    long tall = (long) h * targetW;
    int cropW = wide > tall ? (int) Math.max(1, Math.round(h * (double) targetW / targetH)) : w;
    int cropH = wide < tall ? (int) Math.max(1, Math.round(w * (double) targetH / targetW)) : h;
    return new Region((w - cropW) / 2, (h - cropH) / 2, cropW, cropH);
  }

  /** For each output index along one axis: the source indices and their normalised weights. */
  private record Kernel(int[][] taps, float[][] weights) {
    static Kernel of(int in, int out) {
      double scale = in / (double) out;
      double support = Math.max(1.0, scale); // half-width of the triangle in source pixels
      int[][] taps = new int[out][];
      float[][] weights = new float[out][];
      for (int o = 0; o < out; o++) {
        double centre = (o + 0.5) * scale - 0.5;
        int first = (int) Math.floor(centre - support) + 1;
        int last = (int) Math.ceil(centre + support) - 1;
        first = Math.max(0, Math.min(first, in - 1));
        last = Math.max(first, Math.min(last, in - 1));
        int count = last - first + 1;
        taps[o] = new int[count];
        weights[o] = new float[count];
        double total = 0;
        for (int i = 0; i < count; i++) {
          int src = first + i;
          double w = Math.max(0, 1 - Math.abs(src - centre) / support);
          taps[o][i] = src;
          weights[o][i] = (float) w;
          total += w;
        }
        for (int i = 0; i < count; i++) {
          weights[o][i] = total > 0 ? (float) (weights[o][i] / total) : 1f / count;
        }
      }
      return new Kernel(taps, weights);
    }
  }
}
