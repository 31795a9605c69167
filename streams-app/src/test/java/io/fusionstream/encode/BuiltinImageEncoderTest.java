package io.fusionstream.encode;

import io.fusionstream.decode.DecodedImage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BuiltinImageEncoderTest {
  private static DjlEncoder<DecodedImage> encoder;

  @BeforeAll
  static void load() {
    encoder = BuiltinEncoders.image("cpu", 4);
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  @Test
  void aSolidColourIsOneColourBinAndNoGradient() {
    float[] v = encoder.encode(List.of(solid(40, 30, 255, 0, 0)))[0];
    assertThat(v).hasSize(ImageFeatureBlock.DIMENSION).hasSize(encoder.dimension());
    int red = 3 * 16; // r level 3, g 0, b 0
    assertThat(v[red]).isCloseTo(1f, within(1e-4f));
    for (int i = 0; i < v.length; i++) {
      if (i != red) {
        assertThat(v[i]).as("feature %d", i).isCloseTo(0f, within(1e-4f));
      }
    }
  }

  @Test
  void vectorsAreUnitLength() {
    float[][] v = encoder.encode(List.of(noise(50, 50, 1), stripes(64, 64, true, 8)));
    for (float[] row : v) {
      assertThat(Vectors.norm(row)).isCloseTo(1.0, within(1e-4));
    }
  }

  @Test
  void similarPicturesAreCloserThanDifferentOnes() {
    float[][] v =
        encoder.encode(
            List.of(
                stripes(96, 96, true, 8),
                stripes(80, 90, true, 6), // also vertical stripes, other size and period
                stripes(96, 96, false, 8), // horizontal
                solid(64, 64, 20, 20, 200)));
    double sameOrientation = Vectors.cosine(v[0], v[1]);
    assertThat(sameOrientation).isGreaterThan(Vectors.cosine(v[0], v[2]));
    assertThat(sameOrientation).isGreaterThan(Vectors.cosine(v[0], v[3]));
  }

  @Test
  void batchingGivesTheSameVectorsAsOneByOne() {
    List<DecodedImage> images =
        List.of(noise(31, 17, 2), stripes(100, 60, false, 5), solid(8, 8, 0, 255, 0),
            noise(120, 90, 3), stripes(33, 77, true, 3), noise(64, 64, 4));
    float[][] batched = encoder.encode(images); // 6 inputs, max batch 4: two batches
    for (int i = 0; i < images.size(); i++) {
      float[] single = encoder.encode(List.of(images.get(i)))[0];
      assertThat(batched[i]).containsExactly(single, within(1e-5f));
    }
  }

  static DecodedImage solid(int w, int h, int r, int g, int b) {
    byte[] rgb = new byte[w * h * 3];
    for (int p = 0; p < w * h; p++) {
      rgb[p * 3] = (byte) r;
      rgb[p * 3 + 1] = (byte) g;
      rgb[p * 3 + 2] = (byte) b;
    }
    return new DecodedImage(w, h, rgb);
  }

  static DecodedImage stripes(int w, int h, boolean vertical, int period) {
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int phase = (vertical ? x : y) / period % 2;
        byte v = (byte) (phase == 0 ? 230 : 30);
        int o = (y * w + x) * 3;
        rgb[o] = v;
        rgb[o + 1] = v;
        rgb[o + 2] = v;
      }
    }
    return new DecodedImage(w, h, rgb);
  }

  static DecodedImage noise(int w, int h, long seed) {
    byte[] rgb = new byte[w * h * 3];
    new Random(seed).nextBytes(rgb);
    return new DecodedImage(w, h, rgb);
  }
}
