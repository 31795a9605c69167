package io.fusionstream.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fusionstream.decode.DecodedImage;
import org.junit.jupiter.api.Test;

class ImageResizerTest {

  @Test
  void downscalingAveragesWhatItDrops() {
    // Red follows x, green follows y: a 2x downscale centres output o on source 2o + 0.5.
    int w = 40;
    int h = 30;
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        rgb[(y * w + x) * 3] = (byte) x;
        rgb[(y * w + x) * 3 + 1] = (byte) y;
        rgb[(y * w + x) * 3 + 2] = (byte) 77;
      }
    }
    float[] out = ImageResizer.resize(new DecodedImage(w, h, rgb), 20, 15);
    for (int oy = 1; oy < 14; oy++) {
      for (int ox = 1; ox < 19; ox++) {
        int i = (oy * 20 + ox) * 3;
        assertThat(out[i]).isCloseTo(2 * ox + 0.5f, within(1e-3f));
        assertThat(out[i + 1]).isCloseTo(2 * oy + 0.5f, within(1e-3f));
        assertThat(out[i + 2]).isCloseTo(77f, within(1e-3f));
      }
    }
  }

  @Test
  void aCropIsARegionOfTheSourceNotACopy() {
    int w = 50;
    int h = 20;
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) (i * 37 + i / 150);
    }
    DecodedImage image = new DecodedImage(w, h, rgb);
    ImageResizer.Region crop = ImageResizer.centerCrop(image, 8, 8);
    assertThat(crop).isEqualTo(new ImageResizer.Region(15, 0, 20, 20));

    byte[] copied = new byte[20 * 20 * 3];
    for (int y = 0; y < 20; y++) {
      System.arraycopy(rgb, (y * w + 15) * 3, copied, y * 20 * 3, 20 * 3);
    }
    assertThat(ImageResizer.resize(image, crop, 8, 8))
        .containsExactly(ImageResizer.resize(new DecodedImage(20, 20, copied), 8, 8), within(0f));
    assertThat(ImageResizer.centerCrop(new DecodedImage(20, 50, new byte[3000]), 8, 8))
        .isEqualTo(new ImageResizer.Region(0, 15, 20, 20));
  }

  @Test
  void upscalingIsBilinear() {
    byte[] rgb = {0, 0, 0, (byte) 200, (byte) 200, (byte) 200};
    float[] out = ImageResizer.resize(new DecodedImage(2, 1, rgb), 4, 1);
    assertThat(new float[] {out[0], out[3], out[6], out[9]})
        .containsExactly(new float[] {0f, 50f, 150f, 200f}, within(1e-3f));
  }
}
