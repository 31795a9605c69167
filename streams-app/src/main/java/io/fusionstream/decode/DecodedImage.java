package io.fusionstream.decode;

/**
 * An image decoded to 8-bit RGB, row-major, interleaved (R, G, B per pixel): {@code rgb.length ==
 * width * height * 3}. The decoder makes it about the image encoder's input size when it knows it,
 * so what a pending batch holds follows the model, not the files.
 */
public record DecodedImage(int width, int height, byte[] rgb) {
  public DecodedImage {
    // long: width * height * 3 overflows int long before a side does
    if (width <= 0 || height <= 0 || rgb.length != 3L * width * height) {
      throw new IllegalArgumentException(
          "rgb length " + rgb.length + " does not match " + width + "x" + height + "x3");
    }
  }
}
