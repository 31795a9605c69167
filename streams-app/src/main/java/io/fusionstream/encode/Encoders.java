package io.fusionstream.encode;

import io.fusionstream.decode.DecodedAudio;
import io.fusionstream.decode.DecodedImage;

/**
 * The three encoders of a running application, the audio rate its decoder must resample to, and
 * the image encoder's input size, toward which its decoder subsamples (0 x 0: unknown, decode at
 * full resolution). Closing closes all three.
 */
public record Encoders(
    Encoder<String> text, Encoder<DecodedImage> image, Encoder<DecodedAudio> audio, int audioSampleRate,
    int imageWidth, int imageHeight)
    implements AutoCloseable {

  /** Without the image input size: images are decoded at full resolution. */
  public Encoders(
      Encoder<String> text, Encoder<DecodedImage> image, Encoder<DecodedAudio> audio, int audioSampleRate) {
    this(text, image, audio, audioSampleRate, 0, 0);
  }

  @Override
  public void close() {
    text.close();
    image.close();
    audio.close();
  }
}
