package io.fusionstream.decode;

/**
 * An image decoded to 8-bit RGB, row-major, interleaved (R, G, B per pixel): {@code rgb.length ==
 * width * height * 3}.
 */
public record DecodedImage(int width, int height, byte[] rgb) {
  public DecodedImage {
    if (width <= 0 || height <= 0 || rgb.length != width * height * 3) {
      throw new IllegalArgumentException(
          "rgb length " + rgb.length + " does not match " + width + "x" + height + "x3");
    }
  }
}
