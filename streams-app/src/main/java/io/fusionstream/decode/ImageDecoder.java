package io.fusionstream.decode;

import io.fusionstream.schema.ImageEncoding;
import io.fusionstream.schema.ImageFrameEvent;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes JPEG, PNG and RAW_RGB frames to {@link DecodedImage}.
 *
 * <p>Everything is checked before any pixel is decoded: the byte count against {@link
 * Limits#maxImageBytes()}, then the file header's width and height (ImageReader reads only the
 * header for that) against {@link Limits#maxImageSide()}, {@link Limits#maxImageAspectRatio()} and
 * {@link Limits#maxImagePixels()}, in {@code long}. A 50 KB PNG that declares 100000 x 100000
 * pixels, or a 40 KB one of 1 x 10000000, is refused without allocating its raster.
 *
 * <p>Given the encoder's input size, a JPEG or PNG is decoded with ImageIO source subsampling: every
 * p-th pixel of every p-th row, p the largest period that keeps both sides at least the input size.
 * The codec then only ever allocates the subsampled raster, so a decoded frame (which the encode
 * stage holds while its batch fills) costs about the model input, not the file: a 4000 x 3000 JPEG
 * for a 224 x 224 model holds 308 x 231 x 3 bytes instead of 36 MB. The encoder's resize then
 * filters it down once. One period for both axes keeps the aspect ratio, which centre-cropping
 * models rely on; the aspect limit bounds what that costs for long thin images.
 */
public final class ImageDecoder implements InputDecoder<ImageFrameEvent, DecodedImage> {
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final byte[] JPEG_MAGIC = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};

  private final Limits limits;
  private final int targetWidth;
  private final int targetHeight;

  /** Decodes files at full resolution (tools, training data): no subsampling. */
  public ImageDecoder(Limits limits) {
    this(limits, 0, 0);
  }

  /**
   * Subsamples JPEG and PNG files toward the encoder's input size while decoding them.
   *
   * @param targetWidth the image encoder's input width; 0 (with height 0) for no subsampling
   * @param targetHeight the image encoder's input height; 0 (with width 0) for no subsampling
   */
  public ImageDecoder(Limits limits, int targetWidth, int targetHeight) {
    if (targetWidth < 0 || targetHeight < 0 || (targetWidth == 0) != (targetHeight == 0)) {
      throw new IllegalArgumentException(
          "target size must be positive, or 0x0 for none: " + targetWidth + "x" + targetHeight);
    }
    this.limits = limits;
    this.targetWidth = targetWidth;
    this.targetHeight = targetHeight;
  }

  @Override
  public DecodedImage decode(ImageFrameEvent event) throws InvalidInputException {
    ByteBuffer data = event.getData();
    if (data != null && data.remaining() > limits.maxImageBytes()) {
      throw tooManyBytes(data.remaining());
    }
    return decode(event.getEncoding(), event.getWidth(), event.getHeight(), bytes(data), false);
  }

  /**
   * @param width declared width: required for RAW_RGB, 0 (unknown) or the header's value otherwise
   * @param height declared height, same rules as width
   */
  public DecodedImage decode(ImageEncoding encoding, int width, int height, byte[] data)
      throws InvalidInputException {
    return decode(encoding, width, height, data, true);
  }

  /** @param shared whether the caller keeps {@code data}: a RAW_RGB frame then gets its own copy */
  private DecodedImage decode(ImageEncoding encoding, int width, int height, byte[] data, boolean shared)
      throws InvalidInputException {
    if (data == null || data.length == 0) {
      throw new InvalidInputException(Reasons.EMPTY_DATA, "image has no bytes");
    }
    if (data.length > limits.maxImageBytes()) {
      throw tooManyBytes(data.length);
    }
    return switch (encoding) {
      case RAW_RGB -> decodeRaw(width, height, data, shared);
      case PNG, JPEG -> decodeFile(encoding, width, height, data);
    };
  }

  private InvalidInputException tooManyBytes(long bytes) {
    return new InvalidInputException(
        Reasons.IMAGE_TOO_LARGE, "image has " + bytes + " bytes, limit " + limits.maxImageBytes());
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

  private DecodedImage decodeRaw(int width, int height, byte[] data, boolean shared)
      throws InvalidInputException {
    if (width <= 0 || height <= 0) {
      throw new InvalidInputException(
          Reasons.IMAGE_BAD_DIMENSIONS, "RAW_RGB needs width and height, got " + width + "x" + height);
    }
    checkDimensions(width, height);
    if ((long) width * height * 3 != data.length) {
      throw new InvalidInputException(
          Reasons.IMAGE_BAD_DIMENSIONS,
          "RAW_RGB " + width + "x" + height + " needs " + (long) width * height * 3
              + " bytes, got " + data.length);
    }
    // Already bounded by the byte limit; the encoder's resize reads it without a float copy.
    return new DecodedImage(width, height, shared ? data.clone() : data);
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
        checkDimensions(headerWidth, headerHeight);
        if ((width != 0 && width != headerWidth) || (height != 0 && height != headerHeight)) {
          throw new InvalidInputException(
              Reasons.IMAGE_BAD_DIMENSIONS,
              "declared " + width + "x" + height + " but the " + encoding + " header says "
                  + headerWidth + "x" + headerHeight);
        }
        ImageReadParam param = reader.getDefaultReadParam();
        int period = subsampling(headerWidth, headerHeight);
        if (period > 1) {
          param.setSourceSubsampling(period, period, 0, 0);
        }
        return toRgb(reader.read(0, param));
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

  /**
   * Side, aspect ratio and pixel count, in {@code long}: a side over the limit or too many pixels is
   * {@code image-too-large}, a shape too long and thin is {@code image-bad-dimensions}.
   */
  private void checkDimensions(long width, long height) throws InvalidInputException {
    if (width <= 0 || height <= 0) {
      throw new InvalidInputException(
          Reasons.IMAGE_BAD_DIMENSIONS, "header declares " + width + "x" + height);
    }
    long side = Math.max(width, height);
    if (side > limits.maxImageSide()) {
      throw new InvalidInputException(
          Reasons.IMAGE_TOO_LARGE,
          width + "x" + height + ": a side of " + side + " pixels, limit " + limits.maxImageSide());
    }
    double aspect = side / (double) Math.min(width, height);
    if (aspect > limits.maxImageAspectRatio()) {
      throw new InvalidInputException(
          Reasons.IMAGE_BAD_DIMENSIONS,
          String.format(Locale.ROOT, "%dx%d: aspect ratio %.1f, limit %.1f", width, height, aspect,
              limits.maxImageAspectRatio()));
    }
    long pixels = width * height;
    if (pixels > limits.maxImagePixels()) {
      throw new InvalidInputException(
          Reasons.IMAGE_TOO_LARGE,
          width + "x" + height + " = " + pixels + " pixels, limit " + limits.maxImagePixels());
    }
  }

  /** The largest period that keeps both decoded sides at least the target's. */
  int subsampling(int width, int height) {
    if (targetWidth == 0) {
      return 1;
    }
    return Math.max(1, Math.min(width / targetWidth, height / targetHeight));
  }

  /**
   * Whatever the source colour model, RGB. JPEG, PNG RGB/RGBA and grey images (interleaved bytes,
   * sRGB or grey) are copied from the raster; other models (palette, 16-bit, CMYK converted by
   * ImageIO) go through the colour model row by row, on the already subsampled image.
   */
  static DecodedImage toRgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
    if (!copyInterleaved(image, rgb)) {
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
    }
    return new DecodedImage(w, h, rgb);
  }

  /**
   * Copies 8-bit interleaved sRGB (3 or 4 bands, alpha ignored as getRGB does) or grey samples
   * straight from the raster. Grey is replicated as stored: getRGB would treat it as linear light
   * and brighten it (128 becomes 188), which is not how grey PNGs and JPEGs are meant.
   */
  private static boolean copyInterleaved(BufferedImage image, byte[] rgb) {
    Raster raster = image.getRaster();
    if (!(image.getColorModel() instanceof ComponentColorModel cm)
        || cm.isAlphaPremultiplied()
        || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm)
        || !(raster.getDataBuffer() instanceof DataBufferByte buffer)
        || sm.getDataType() != DataBuffer.TYPE_BYTE
        || buffer.getNumBanks() != 1) {
      return false;
    }
    int bands = sm.getNumBands();
    boolean grey = bands == 1 && cm.getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY;
    boolean colour = (bands == 3 || bands == 4) && cm.getColorSpace().isCS_sRGB();
    if (!grey && !colour) {
      return false;
    }
    int[] offsets = sm.getBandOffsets();
    int r = offsets[0];
    int g = grey ? r : offsets[1];
    int b = grey ? r : offsets[2];
    int pixelStride = sm.getPixelStride();
    int scanline = sm.getScanlineStride();
    byte[] data = buffer.getData();
    int origin = buffer.getOffset()
        - raster.getSampleModelTranslateY() * scanline
        - raster.getSampleModelTranslateX() * pixelStride;
    int w = image.getWidth();
    int o = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      int p = origin + y * scanline;
      for (int x = 0; x < w; x++, p += pixelStride) {
        rgb[o++] = data[p + r];
        rgb[o++] = data[p + g];
        rgb[o++] = data[p + b];
      }
    }
    return true;
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
