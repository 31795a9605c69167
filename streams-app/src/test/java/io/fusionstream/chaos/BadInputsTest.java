package io.fusionstream.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fusionstream.schema.ImageFrameEvent;
import io.fusionstream.schema.TextEvent;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;

/** The chaos inputs are what their names say: otherwise the suite would test nothing. */
class BadInputsTest {

  @Test
  void handBuiltPngDecodesToItsDeclaredSize() throws Exception {
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(BadInputs.png(37, 5)));
    assertThat(img.getWidth()).isEqualTo(37);
    assertThat(img.getHeight()).isEqualTo(5);
  }

  @Test
  void extremePngIsSmallOnTheWireAndDeclaresItsShapeInTheHeader() throws Exception {
    byte[] tall = BadInputs.png(1, 10_000_000);
    assertThat(tall.length).isLessThan(200_000);
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(tall))) {
      ImageReader reader = ImageIO.getImageReaders(in).next();
      reader.setInput(in);
      assertThat(reader.getWidth(0)).isEqualTo(1);
      assertThat(reader.getHeight(0)).isEqualTo(10_000_000);
    }
    byte[] bomb = BadInputs.pngHeaderOnly(100_000, 100_000);
    assertThat(ByteBuffer.wrap(bomb, 16, 8).getInt()).isEqualTo(100_000);
    assertThat(bomb.length).isLessThan(200);
  }

  @Test
  void jpegHasTheRequestedShape() throws Exception {
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(BadInputs.jpeg(300, 10)));
    assertThat(img.getWidth()).isEqualTo(300);
    assertThat(img.getHeight()).isEqualTo(10);
  }

  @Test
  void lengthBombClaimsTwoGigabytesInADozenBytes() throws Exception {
    byte[] text = BadInputs.lengthBomb(7, TextEvent.getClassSchema(), "session_id", 2_000_000_000L);
    assertThat(text.length).isLessThanOrEqualTo(12);
    assertThat(text[0]).isZero();
    assertThat(ByteBuffer.wrap(text, 1, 4).getInt()).isEqualTo(7);
    BinaryDecoder d = DecoderFactory.get().binaryDecoder(text, 5, text.length - 5, null);
    assertThat(d.readLong()).isEqualTo(2_000_000_000L);
    assertThat(d.isEnd()).isTrue();

    byte[] image = BadInputs.lengthBomb(9, ImageFrameEvent.getClassSchema(), "data", 2_000_000_000L);
    BinaryDecoder i = DecoderFactory.get().binaryDecoder(image, 5, image.length - 5, null);
    assertThat(i.readString()).isEqualTo("s");
    assertThat(i.readString()).isEqualTo("s");
    i.readLong();
    assertThat(i.readEnum()).isZero();
    assertThat(i.readInt()).isEqualTo(1);
    assertThat(i.readInt()).isEqualTo(1);
    assertThat(i.readLong()).isEqualTo(2_000_000_000L);
    assertThat(i.isEnd()).isTrue();
    assertThatThrownBy(() -> BadInputs.lengthBomb(9, ImageFrameEvent.getClassSchema(), "width", 5))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void wavHeaderCarriesTheDeclaredRateAndChannels() {
    ByteBuffer wav = ByteBuffer.wrap(BadInputs.wav(2_000_000_012, 65_535, 16, new byte[8]))
        .order(ByteOrder.LITTLE_ENDIAN);
    assertThat(Short.toUnsignedInt(wav.getShort(22))).isEqualTo(65_535);
    assertThat(wav.getInt(24)).isEqualTo(2_000_000_012);
    assertThat(wav.getInt(40)).isEqualTo(8);
  }
}
