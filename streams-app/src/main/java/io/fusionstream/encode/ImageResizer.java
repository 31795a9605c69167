package io.fusionstream.encode;

import io.fusionstream.decode.DecodedImage;

/**
 * Separable resize with a triangle (bilinear) kernel whose support widens with the scale factor,
 * so downscaling averages the pixels it drops instead of sampling (and aliasing) them; upscaling is
 * plain bilinear.
 */
final class ImageResizer {
  private ImageResizer() {}

  /** Returns HWC floats in 0..255, RGB, {@code outW * outH * 3} values. */
  static float[] resize(DecodedImage image, int outW, int outH) {
    int inW = image.width();
    int inH = image.height();
    byte[] rgb = image.rgb();
    Kernel horizontal = Kernel.of(inW, outW);
    Kernel vertical = Kernel.of(inH, outH);
    float[] rows = new float[inH * outW * 3];
    for (int y = 0; y < inH; y++) {
      for (int x = 0; x < outW; x++) {
        float r = 0;
        float g = 0;
        float b = 0;
        for (int t = 0; t < horizontal.taps[x].length; t++) {
          int src = (y * inW + horizontal.taps[x][t]) * 3;
          float w = horizontal.weights[x][t];
          r += w * (rgb[src] & 0xff);
          g += w * (rgb[src + 1] & 0xff);
          b += w * (rgb[src + 2] & 0xff);
        }
        int dst = (y * outW + x) * 3;
        rows[dst] = r;
        rows[dst + 1] = g;
        rows[dst + 2] = b;
      }
    }
    float[] out = new float[outH * outW * 3];
    for (int y = 0; y < outH; y++) {
      for (int x = 0; x < outW; x++) {
        for (int c = 0; c < 3; c++) {
          float sum = 0;
          for (int t = 0; t < vertical.taps[y].length; t++) {
            sum += vertical.weights[y][t] * rows[(vertical.taps[y][t] * outW + x) * 3 + c];
          }
          out[(y * outW + x) * 3 + c] = sum;
        }
      }
    }
    return out;
  }

  /** The largest centred region of {@code image} with the aspect ratio targetW : targetH. */
  static DecodedImage centerCrop(DecodedImage image, int targetW, int targetH) {
    int w = image.width();
    int h = image.height();
    // Compare w / h with targetW / targetH without rounding: w * targetH vs h * targetW.
    long wide = (long) w * targetH;
    long tall = (long) h * targetW;
    int cropW = wide > tall ? (int) Math.max(1, Math.round(h * (double) targetW / targetH)) : w;
    int cropH = wide < tall ? (int) Math.max(1, Math.round(w * (double) targetH / targetW)) : h;
    if (cropW == w && cropH == h) {
      return image;
    }
    int x0 = (w - cropW) / 2;
    int y0 = (h - cropH) / 2;
    byte[] rgb = new byte[cropW * cropH * 3];
    for (int y = 0; y < cropH; y++) {
      System.arraycopy(image.rgb(), ((y0 + y) * w + x0) * 3, rgb, y * cropW * 3, cropW * 3);
    }
    return new DecodedImage(cropW, cropH, rgb);
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
