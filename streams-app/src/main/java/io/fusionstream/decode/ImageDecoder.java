package io.fusionstream.decode;

import io.fusionstream.schema.ImageEncoding;
import io.fusionstream.schema.ImageFrameEvent;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes JPEG, PNG and RAW_RGB frames to {@link DecodedImage}.
 *
 * <p>Size is checked twice before any pixel is decoded: the byte count against {@link
 * Limits#maxImageBytes()}, then width * height from the file header (ImageReader reads only the
 * header for that) against {@link Limits#maxImagePixels()}. A 50 KB PNG that declares 100000 x
 * 100000 pixels is therefore refused without allocating its raster.
 */
public final class ImageDecoder implements InputDecoder<ImageFrameEvent, DecodedImage> {
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final byte[] JPEG_MAGIC = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};

  private final Limits limits;

  public ImageDecoder(Limits limits) {
    this.limits = limits;
  }

  @Override
  public DecodedImage decode(ImageFrameEvent event) throws InvalidInputException {
    return decode(event.getEncoding(), event.getWidth(), event.getHeight(), bytes(event.getData()));
  }

  /**
   * @param width declared width: required for RAW_RGB, 0 (unknown) or the header's value otherwise
   * @param height declared height, same rules as width
   */
  public DecodedImage decode(ImageEncoding encoding, int width, int height, byte[] data)
      throws InvalidInputException {
    if (data == null || data.length == 0) {
      throw new InvalidInputException(Reasons.EMPTY_DATA, "image has no bytes");
    }
    if (data.length > limits.maxImageBytes()) {
      throw new InvalidInputException(
          Reasons.IMAGE_TOO_LARGE,
          "image has " + data.length + " bytes, limit " + limits.maxImageBytes());
    }
    return switch (encoding) {
      case RAW_RGB -> decodeRaw(width, height, data);
      case PNG, JPEG -> decodeFile(encoding, width, height, data);
    };
  }

  /** Guesses PNG or JPEG from the first bytes, for files whose encoding nobody declared. */
  public static ImageEncoding sniff(byte[] data) throws InvalidInputException {
    if (startsWith(data, PNG_MAGIC)) {
      return ImageEncoding.PNG;
    }
    if (startsWith(data, JPEG_MAGIC)) {
      return ImageEncoding.JPEG;
    }
    throw new InvalidInputException(Reasons.IMAGE_DECODE_FAILED, "neither a PNG nor a JPEG file");
  }

  private DecodedImage decodeRaw(int width, int height, byte[] data) throws InvalidInputException {
    if (width <= 0 || height <= 0) {
      throw new InvalidInputException(
          Reasons.IMAGE_BAD_DIMENSIONS, "RAW_RGB needs width and height, got " + width + "x" + height);
    }
    checkPixels(width, height);
    if ((long) width * height * 3 != data.length) {
      throw new InvalidInputException(
          Reasons.IMAGE_BAD_DIMENSIONS,
          "RAW_RGB " + width + "x" + height + " needs " + (long) width * height * 3
              + " bytes, got " + data.length);
    }
    return new DecodedImage(width, height, data.clone());
  }

  private DecodedImage decodeFile(ImageEncoding encoding, int width, int height, byte[] data)
      throws InvalidInputException {
    byte[] magic = encoding == ImageEncoding.PNG ? PNG_MAGIC : JPEG_MAGIC;
    if (!startsWith(data, magic)) {
      throw new InvalidInputException(
          Reasons.IMAGE_DECODE_FAILED, "bytes do not start like a " + encoding + " file");
    }
    // In memory: ImageIO.createImageInputStream would spool every frame to a temp file by default.
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
      ImageReader reader = readerFor(encoding);
      try {
        reader.setInput(in, true, true);
        int headerWidth = reader.getWidth(0);
        int headerHeight = reader.getHeight(0);
        checkPixels(headerWidth, headerHeight);
        if ((width != 0 && width != headerWidth) || (height != 0 && height != headerHeight)) {
          throw new InvalidInputException(
              Reasons.IMAGE_BAD_DIMENSIONS,
              "declared " + width + "x" + height + " but the " + encoding + " header says "
                  + headerWidth + "x" + headerHeight);
        }
        return toRgb(reader.read(0));
      } finally {
        reader.dispose();
      }
    } catch (InvalidInputException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Corrupt files surface as IIOException, but also as IndexOutOfBounds or IllegalArgument from
      // deep inside the codecs: all of them mean "this input is unusable", never a crash.
      throw new InvalidInputException(
          Reasons.IMAGE_DECODE_FAILED, "cannot decode " + encoding + ": " + e.getMessage(), e);
    }
  }

  private static ImageReader readerFor(ImageEncoding encoding)
      throws InvalidInputException {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(encoding.name());
    if (!readers.hasNext()) {
      throw new InvalidInputException(Reasons.IMAGE_DECODE_FAILED, "no reader for " + encoding);
    }
    return readers.next();
  }

  private void checkPixels(int width, int height) throws InvalidInputException {
    long pixels = (long) width * height;
    if (pixels > limits.maxImagePixels()) {
      throw new InvalidInputException(
          Reasons.IMAGE_TOO_LARGE,
          width + "x" + height + " = " + pixels + " pixels, limit " + limits.maxImagePixels());
    }
    if (width <= 0 || height <= 0) {
      throw new InvalidInputException(
          Reasons.IMAGE_BAD_DIMENSIONS, "header declares " + width + "x" + height);
    }
  }

  /** Whatever the source colour model (grey, palette, alpha, CMYK converted by ImageIO): RGB. */
  static DecodedImage toRgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] rgb = new byte[w * h * 3];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      int o = y * w * 3;
      for (int x = 0; x < w; x++) {
        int p = row[x];
        rgb[o++] = (byte) (p >> 16);
        rgb[o++] = (byte) (p >> 8);
        rgb[o++] = (byte) p;
      }
    }
    return new DecodedImage(w, h, rgb);
  }

  static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return new byte[0];
    }
    ByteBuffer view = buffer.duplicate();
    byte[] out = new byte[view.remaining()];
    view.get(out);
    return out;
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    if (data.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
