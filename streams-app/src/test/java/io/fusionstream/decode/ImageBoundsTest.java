package io.fusionstream.decode;

import static io.fusionstream.decode.ImageDecoderTest.assertReason;
import static io.fusionstream.decode.ImageDecoderTest.encode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fusionstream.schema.ImageEncoding;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * An image costs what its header allows and what the encoder needs: sides, aspect ratio and pixels
 * are refused from the header, and files are decoded subsampled toward the encoder's input size.
 */
class ImageBoundsTest {
  private final ImageDecoder decoder = new ImageDecoder(Limits.defaults());

  @Test
  void aValidOneByTenMillionPngIsRefusedByItsHeader() throws Exception {
    byte[] png = greyPng(1, 10_000_000);
    assertThat(png.length).isLessThan(Limits.DEFAULT_MAX_IMAGE_BYTES); // ~20 KB, under every byte limit
    assertThatThrownBy(() -> decoder.decode(ImageEncoding.PNG, 0, 0, png))
        .isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.reason()).isEqualTo(Reasons.IMAGE_TOO_LARGE))
        .hasMessageContaining("a side of 10000000 pixels, limit 16384");
  }

  @Test
  void aLongThinPngUnderTheSideLimitIsRefusedByItsAspectRatio() throws Exception {
    byte[] png = greyPng(16_000, 100);
    assertThatThrownBy(() -> decoder.decode(ImageEncoding.PNG, 0, 0, png))
        .isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.reason()).isEqualTo(Reasons.IMAGE_BAD_DIMENSIONS))
        .hasMessageContaining("aspect ratio 160.0, limit 32.0");
    // The file itself is fine: a decoder that allows the shape reads it.
    ImageDecoder lenient = new ImageDecoder(new Limits(100, 1 << 20, 10_000_000L, 16_384, 200.0, 100, 1.0, 16_000));
    assertThat(lenient.decode(ImageEncoding.PNG, 0, 0, png).width()).isEqualTo(16_000);
  }

  @Test
  void tallAndWideJpegsUnderThePixelCapAreRefusedBySideOrAspect() throws Exception {
    byte[] wide = encode(new BufferedImage(20_000, 8, BufferedImage.TYPE_INT_RGB), "jpg"); // 160 k pixels
    assertReason(() -> decoder.decode(ImageEncoding.JPEG, 0, 0, wide), Reasons.IMAGE_TOO_LARGE);
    byte[] tall = encode(new BufferedImage(40, 1_400, BufferedImage.TYPE_INT_RGB), "jpg"); // 35 : 1
    assertReason(() -> decoder.decode(ImageEncoding.JPEG, 0, 0, tall), Reasons.IMAGE_BAD_DIMENSIONS);
    byte[] square = encode(new BufferedImage(1_200, 1_200, BufferedImage.TYPE_INT_RGB), "jpg");
    ImageDecoder sideOf1000 = new ImageDecoder(new Limits(100, 1 << 20, 10_000_000L, 1_000, 32.0, 100, 1.0, 16_000));
    assertReason(() -> sideOf1000.decode(ImageEncoding.JPEG, 0, 0, square), Reasons.IMAGE_TOO_LARGE);
    // RAW_RGB goes through the same checks.
    assertReason(() -> sideOf1000.decode(ImageEncoding.RAW_RGB, 1_001, 1, new byte[3_003]), Reasons.IMAGE_TOO_LARGE);
    assertReason(() -> decoder.decode(ImageEncoding.RAW_RGB, 33, 1, new byte[99]), Reasons.IMAGE_BAD_DIMENSIONS);
  }

  @Test
  void aLargeJpegIsDecodedSubsampledTowardTheModelInputWithItsColours() throws Exception {
    BufferedImage source = quadrants(4_000, 3_000);
    byte[] jpeg = encode(source, "jpg");

    long[] allocated = new long[3];
    DecodedImage full = allocating(allocated, 0, () -> decoder.decode(ImageEncoding.JPEG, 0, 0, jpeg));
    ImageDecoder for224 = new ImageDecoder(Limits.defaults(), 224, 224);
    DecodedImage forModel = allocating(allocated, 1, () -> for224.decode(ImageEncoding.JPEG, 0, 0, jpeg));
    ImageDecoder for66 = new ImageDecoder(Limits.defaults(), 66, 66);
    DecodedImage forBuiltin = allocating(allocated, 2, () -> for66.decode(ImageEncoding.JPEG, 0, 0, jpeg));
    // Figures for the docs, not assertions: allocation counts depend on the JDK's codec.
    System.out.printf("decoded 4000x3000 JPEG (%d bytes); held per frame / heap allocated while decoding:"
            + " full resolution %dx%d %d / %d bytes; for a 224x224 model %dx%d %d / %d bytes;"
            + " for the built-in 66x66 encoder %dx%d %d / %d bytes%n", jpeg.length,
        full.width(), full.height(), full.rgb().length, allocated[0],
        forModel.width(), forModel.height(), forModel.rgb().length, allocated[1],
        forBuiltin.width(), forBuiltin.height(), forBuiltin.rgb().length, allocated[2]);

    assertThat(full.rgb()).hasSize(4_000 * 3_000 * 3);
    // Period 13 = min(4000 / 224, 3000 / 224): both sides stay at least the input size.
    assertThat(forModel.width()).isEqualTo(308).isLessThan(4_000);
    assertThat(forModel.height()).isEqualTo(231).isGreaterThanOrEqualTo(224);
    assertThat(forModel.rgb()).hasSize(308 * 231 * 3);
    assertThat(forBuiltin.width()).isEqualTo(89);
    assertThat(forBuiltin.height()).isEqualTo(67);
    for (DecodedImage image : new DecodedImage[] {forModel, forBuiltin}) {
      assertColour(image, 0.25, 0.25, 0xd02020);
      assertColour(image, 0.75, 0.25, 0x20d020);
      assertColour(image, 0.25, 0.75, 0x2020d0);
      assertColour(image, 0.75, 0.75, 0xe0e0e0);
    }
  }

  @Test
  void smallImagesAreNotSubsampledAndPngsAreToo() throws Exception {
    ImageDecoder for224 = new ImageDecoder(Limits.defaults(), 224, 224);
    byte[] small = encode(quadrants(300, 400), "png");
    assertThat(for224.decode(ImageEncoding.PNG, 0, 0, small).width()).isEqualTo(300);
    byte[] large = encode(quadrants(1_000, 900), "png");
    DecodedImage decoded = for224.decode(ImageEncoding.PNG, 0, 0, large);
    assertThat(decoded.width()).isEqualTo(250); // period 4
    assertThat(decoded.height()).isEqualTo(225);
    assertColour(decoded, 0.25, 0.75, 0x2020d0);
    assertThatThrownBy(() -> new ImageDecoder(Limits.defaults(), 224, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void greyPaletteAndAlphaImagesKeepTheirColours() throws Exception {
    BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(0, 0, 0, 128);
    grey.getRaster().setSample(1, 0, 0, 50);
    // Stored grey levels, as viewers show them (getRGB would brighten 128 to 188).
    assertThat(decoder.decode(ImageEncoding.PNG, 0, 0, encode(grey, "png")).rgb())
        .containsExactly(128, 128, 128, 50, 50, 50);

    IndexColorModel palette = new IndexColorModel(8, 2, new byte[] {10, (byte) 200}, new byte[] {20, 0},
        new byte[] {30, 100});
    BufferedImage indexed = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
    indexed.getRaster().setSample(1, 0, 0, 1);
    assertThat(decoder.decode(ImageEncoding.PNG, 0, 0, encode(indexed, "png")).rgb())
        .containsExactly(10, 20, 30, 200, 0, 100);

    BufferedImage alpha = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
    alpha.setRGB(0, 0, 0x80_40_80_c0);
    assertThat(decoder.decode(ImageEncoding.PNG, 0, 0, encode(alpha, "png")).rgb())
        .containsExactly(0x40, 0x80, 0xc0);
  }

  interface Decode {
    DecodedImage run() throws InvalidInputException;
  }

  /** Runs {@code decode}, noting the heap bytes this thread allocated meanwhile (-1 if unknown). */
  private static DecodedImage allocating(long[] into, int slot, Decode decode) throws InvalidInputException {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    if (!(threads instanceof com.sun.management.ThreadMXBean counting)) {
      into[slot] = -1;
      return decode.run();
    }
    long id = Thread.currentThread().getId();
    long before = counting.getThreadAllocatedBytes(id);
    DecodedImage image = decode.run();
    into[slot] = counting.getThreadAllocatedBytes(id) - before;
    return image;
  }

  /** Four solid quadrants: red, green (top), blue, light grey (bottom). */
  private static BufferedImage quadrants(int w, int h) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    int[][] colours = {{0xd02020, 0x20d020}, {0x2020d0, 0xe0e0e0}};
    for (int qy = 0; qy < 2; qy++) {
      for (int qx = 0; qx < 2; qx++) {
        g.setColor(new Color(colours[qy][qx]));
        g.fillRect(qx * w / 2, qy * h / 2, w / 2, h / 2);
      }
    }
    g.dispose();
    return image;
  }

  private static void assertColour(DecodedImage image, double fx, double fy, int rgb) {
    int x = (int) (fx * image.width());
    int y = (int) (fy * image.height());
    int i = (y * image.width() + x) * 3;
    int[] want = {rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff};
    for (int c = 0; c < 3; c++) {
      assertThat(image.rgb()[i + c] & 0xff).as("channel %d at %d,%d", c, x, y).isBetween(want[c] - 10, want[c] + 10);
    }
  }

  /** A complete, valid 8-bit grey PNG of zeros, deflated row by row so the test never holds it raw. */
  static byte[] greyPng(int width, int height) {
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height);
    ihdr.put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    byte[] rows = new byte[Math.max(width + 1, 1 << 16) / (width + 1) * (width + 1)]; // whole rows of zeros
    byte[] buffer = new byte[1 << 16];
    long left = (long) height * (width + 1);
    while (left > 0) {
      int n = (int) Math.min(rows.length, left);
      deflater.setInput(rows, 0, n);
      left -= n;
      while (!deflater.needsInput()) {
        idat.write(buffer, 0, deflater.deflate(buffer));
      }
    }
    deflater.finish();
    while (!deflater.finished()) {
      idat.write(buffer, 0, deflater.deflate(buffer));
    }
    deflater.end();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ImageDecoderTest.chunk(out, "IHDR", ihdr.array());
    ImageDecoderTest.chunk(out, "IDAT", idat.toByteArray());
    ImageDecoderTest.chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }
}
