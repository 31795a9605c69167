package io.fusionstream.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fusionstream.schema.ImageEncoding;
import io.fusionstream.schema.ImageFrameEvent;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {
  private final ImageDecoder decoder = new ImageDecoder(Limits.defaults());

  @Test
  void pngDecodesToTheExactPixels() throws Exception {
    BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
    image.setRGB(0, 0, 0xff0000);
    image.setRGB(1, 0, 0x00ff00);
    image.setRGB(2, 0, 0x0000ff);
    image.setRGB(0, 1, 0x102030);

    DecodedImage decoded = decoder.decode(event(ImageEncoding.PNG, 0, 0, encode(image, "png")));

    assertThat(decoded.width()).isEqualTo(3);
    assertThat(decoded.height()).isEqualTo(2);
    assertThat(Arrays.copyOfRange(decoded.rgb(), 0, 12))
        .containsExactly(b(255), 0, 0, 0, b(255), 0, 0, 0, b(255), 0x10, 0x20, 0x30);
  }

  @Test
  void jpegDecodesToApproximatelyTheColour() throws Exception {
    BufferedImage image = solid(32, 16, 0x3060c0);
    DecodedImage decoded = decoder.decode(event(ImageEncoding.JPEG, 32, 16, encode(image, "jpg")));
    assertThat(decoded.width()).isEqualTo(32);
    int centre = (8 * 32 + 16) * 3;
    assertThat(decoded.rgb()[centre] & 0xff).isBetween(0x30 - 8, 0x30 + 8);
    assertThat(decoded.rgb()[centre + 2] & 0xff).isBetween(0xc0 - 8, 0xc0 + 8);
  }

  @Test
  void rawRgbIsCheckedAgainstTheDeclaredSize() throws Exception {
    byte[] rgb = new byte[4 * 2 * 3];
    rgb[5] = 7;
    assertThat(decoder.decode(event(ImageEncoding.RAW_RGB, 4, 2, rgb)).rgb()).isEqualTo(rgb);
    assertReason(() -> decoder.decode(event(ImageEncoding.RAW_RGB, 4, 3, rgb)), Reasons.IMAGE_BAD_DIMENSIONS);
    assertReason(() -> decoder.decode(event(ImageEncoding.RAW_RGB, 0, 2, rgb)), Reasons.IMAGE_BAD_DIMENSIONS);
  }

  @Test
  void aHeaderDeclaringTooManyPixelsIsRefusedWithoutDecoding() {
    // 100000 x 100000 RGB would need 30 GB; the file itself is a few dozen bytes.
    byte[] bomb = pngHeaderOnly(100_000, 100_000);
    assertThat(bomb.length).isLessThan(100);
    assertReason(() -> decoder.decode(event(ImageEncoding.PNG, 0, 0, bomb)), Reasons.IMAGE_TOO_LARGE);
  }

  @Test
  void pixelLimitAppliesToRealImagesToo() throws Exception {
    ImageDecoder strict = new ImageDecoder(Limits.defaults().withMaxImagePixels(99));
    byte[] png = encode(solid(10, 10, 0), "png");
    assertReason(() -> strict.decode(event(ImageEncoding.PNG, 0, 0, png)), Reasons.IMAGE_TOO_LARGE);
    assertReason(
        () -> strict.decode(event(ImageEncoding.RAW_RGB, 10, 10, new byte[300])),
        Reasons.IMAGE_TOO_LARGE);
  }

  @Test
  void corruptDataIsADecodeFailure() throws Exception {
    byte[] png = encode(solid(20, 20, 0x123456), "png");
    byte[] garbage = Arrays.copyOf(png, png.length);
    for (int i = 40; i < garbage.length; i++) {
      garbage[i] = (byte) (i * 31);
    }
    assertReason(() -> decoder.decode(event(ImageEncoding.PNG, 0, 0, garbage)), Reasons.IMAGE_DECODE_FAILED);
    byte[] truncated = Arrays.copyOf(png, 40);
    assertReason(() -> decoder.decode(event(ImageEncoding.PNG, 0, 0, truncated)), Reasons.IMAGE_DECODE_FAILED);
    assertReason(
        () -> decoder.decode(event(ImageEncoding.JPEG, 0, 0, "not an image".getBytes())),
        Reasons.IMAGE_DECODE_FAILED);
  }

  @Test
  void encodingMustMatchTheBytes() throws Exception {
    byte[] png = encode(solid(4, 4, 0), "png");
    assertReason(() -> decoder.decode(event(ImageEncoding.JPEG, 0, 0, png)), Reasons.IMAGE_DECODE_FAILED);
  }

  @Test
  void declaredSizeMustMatchTheHeader() throws Exception {
    byte[] png = encode(solid(8, 6, 0), "png");
    assertReason(() -> decoder.decode(event(ImageEncoding.PNG, 8, 7, png)), Reasons.IMAGE_BAD_DIMENSIONS);
    assertThat(decoder.decode(event(ImageEncoding.PNG, 8, 6, png)).height()).isEqualTo(6);
  }

  @Test
  void emptyAndOversizedBytesAreRefused() {
    assertReason(() -> decoder.decode(event(ImageEncoding.PNG, 0, 0, new byte[0])), Reasons.EMPTY_DATA);
    ImageDecoder small = new ImageDecoder(Limits.of(10, 16, 1000, 10, 1));
    assertReason(() -> small.decode(event(ImageEncoding.RAW_RGB, 3, 3, new byte[27])), Reasons.IMAGE_TOO_LARGE);
  }

  @Test
  void filesAreReadWithTheSameRules(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("a.png");
    Files.write(png, encode(solid(5, 7, 0x00ff00), "png"));
    DecodedImage image = MediaFiles.readImage(png, Limits.defaults());
    assertThat(image.width()).isEqualTo(5);
    assertThat(image.rgb()[1] & 0xff).isEqualTo(255);

    Path text = dir.resolve("b.png");
    Files.writeString(text, "hello");
    assertReason(() -> MediaFiles.readImage(text, Limits.defaults()), Reasons.IMAGE_DECODE_FAILED);
  }

  static ImageFrameEvent event(ImageEncoding encoding, int width, int height, byte[] data) {
    return ImageFrameEvent.newBuilder()
        .setSessionId("s")
        .setEventId("e")
        .setTimestamp(java.time.Instant.ofEpochMilli(0))
        .setEncoding(encoding)
        .setWidth(width)
        .setHeight(height)
        .setData(ByteBuffer.wrap(data))
        .build();
  }

  static BufferedImage solid(int w, int h, int rgb) {
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        image.setRGB(x, y, rgb);
      }
    }
    return image;
  }

  static byte[] encode(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(image, format, out)).isTrue();
    return out.toByteArray();
  }

  /** A PNG signature and a valid IHDR chunk declaring the size, then IEND: no pixel data. */
  private static byte[] pngHeaderOnly(int width, int height) {
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height);
    ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  /** Appends one PNG chunk: length, type, body, CRC. */
  static void chunk(ByteArrayOutputStream out, String type, byte[] body) {
    CRC32 crc = new CRC32();
    crc.update(type.getBytes());
    crc.update(body);
    out.writeBytes(ByteBuffer.allocate(4).putInt(body.length).array());
    out.writeBytes(type.getBytes());
    out.writeBytes(body);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  private static byte b(int v) {
    return (byte) v;
  }

  interface Call {
    Object run() throws Exception;
  }

  static void assertReason(Call call, String reason) {
    assertThatThrownBy(call::run)
        .isInstanceOf(InvalidInputException.class)
        .satisfies(e -> assertThat(((InvalidInputException) e).reason()).isEqualTo(reason));
  }
}
